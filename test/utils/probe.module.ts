import { Body, Controller, Get, HttpCode, HttpStatus, Module, Post } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import {
  AdminOnly,
  Authenticated,
  Ctx,
  MetricsTokenOrAdmin,
  PeopleOrHubToken,
  Public,
  UserOnly,
} from '../../src/common/auth/auth.decorators.js';
import type { RequestContext } from '../../src/common/auth/request-context.js';
import { RateLimitedError } from '../../src/common/errors/domain-errors.js';
import { ApiErrors } from '../../src/common/http/api-responses.decorators.js';

export const PROBE_SLOW_MS = 500;

export class ProbeBodyDto {
  @IsString()
  @Length(1, 20)
  name!: string;

  @IsOptional()
  @IsInt()
  @Min(0)
  count?: number;
}

// Probe routes keep to the response contract like the hub's own (test/setup/response-contract.setup.ts).
const Answers = (status: number, data: object = { type: 'object' }) =>
  ApiResponse({
    status,
    schema: { type: 'object', required: ['status', 'data'], properties: { status: { enum: ['success'] }, data } },
  });

/**
 * Routes that exercise the global pipeline (guard levels, validation, envelope, error mapping) without
 * depending on any feature module. Mounted only in tests, through createApp's `imports`.
 */
@Controller('probe')
class ProbeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('public')
  @Public()
  @Answers(200, { type: 'object', properties: { ok: { type: 'boolean' } } })
  public(): { ok: true } {
    return { ok: true };
  }

  @Get('principal')
  @Authenticated('tasks:read')
  @Answers(200)
  principal(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('people')
  @PeopleOrHubToken('tasks:read')
  @Answers(200)
  people(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('metrics')
  @MetricsTokenOrAdmin()
  @Answers(200)
  metrics(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('user')
  @UserOnly()
  @Answers(200)
  user(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('admin')
  @AdminOnly('admin')
  @Answers(200)
  admin(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  // Deliberately without a level or scope: deny by default must still require a principal, and no token
  // or agent key (they need a scope the route names) gets through.
  @Get('undeclared')
  @Answers(200)
  @ApiErrors([HttpStatus.UNAUTHORIZED, 'unauthenticated'], [HttpStatus.FORBIDDEN, 'insufficient_scope'])
  undeclared(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Post('echo')
  @Public()
  @Answers(201)
  echo(@Body() body: ProbeBodyDto): ProbeBodyDto {
    return body;
  }

  @Post('nothing')
  @Public()
  @HttpCode(204)
  @ApiResponse({ status: 204 })
  nothing(): void {}

  @Get('crash')
  @Public()
  crash(): never {
    throw new Error('SELECT password_hash FROM users -- internal detail that must not leak');
  }

  /** Answers after `PROBE_SLOW_MS`, to have a request in flight during shutdown. */
  @Get('slow')
  @Public()
  @Answers(200, { type: 'object', properties: { finished: { type: 'boolean' } } })
  async slow(): Promise<{ finished: true }> {
    await new Promise((resolve) => setTimeout(resolve, PROBE_SLOW_MS));
    return { finished: true };
  }

  @Get('rate-limited')
  @Public()
  @ApiErrors([HttpStatus.TOO_MANY_REQUESTS, 'rate_limited'])
  rateLimited(): never {
    throw new RateLimitedError(42);
  }

  @Get('duplicate')
  @Public()
  @ApiErrors([HttpStatus.CONFLICT, 'conflict'])
  async duplicate(): Promise<void> {
    const insert = `INSERT INTO users (username, password_hash) VALUES ('dup-user', 'x')`;
    await this.dataSource.query(insert);
    await this.dataSource.query(insert);
  }

  @Get('bad-uuid')
  @Public()
  @ApiErrors([HttpStatus.BAD_REQUEST, 'validation_failed'])
  async badUuid(): Promise<unknown> {
    return this.dataSource.query('SELECT * FROM users WHERE id = $1', ['not-a-uuid']);
  }

  @Get('database')
  @Public()
  @Answers(200, { type: 'object', properties: { answer: { type: 'integer' } } })
  async database(): Promise<{ answer: number }> {
    const [row] = await this.dataSource.query<Array<{ answer: number }>>('SELECT 42 AS answer');
    return { answer: row.answer };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
