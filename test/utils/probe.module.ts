import { Body, Controller, Get, HttpCode, Module, Post } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { IsInt, IsOptional, IsString, Length, Min } from 'class-validator';
import { DataSource } from 'typeorm';
import { AdminOnly, Authenticated, Ctx, Public, UserOnly } from '../../src/common/auth/auth.decorators.js';
import type { RequestContext } from '../../src/common/auth/request-context.js';
import { RateLimitedError } from '../../src/common/errors/domain-errors.js';

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

/**
 * Routes that exercise the global pipeline (guard levels, validation, envelope, error mapping) without
 * depending on any feature module. Mounted only in tests, through createApp's `imports`.
 */
@Controller('probe')
class ProbeController {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  @Get('public')
  @Public()
  public(): { ok: true } {
    return { ok: true };
  }

  @Get('principal')
  @Authenticated()
  principal(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('user')
  @UserOnly()
  user(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Get('admin')
  @AdminOnly()
  admin(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  // Deliberately without a level: deny by default must still require a principal.
  @Get('undeclared')
  undeclared(@Ctx() ctx: RequestContext): RequestContext {
    return ctx;
  }

  @Post('echo')
  @Public()
  echo(@Body() body: ProbeBodyDto): ProbeBodyDto {
    return body;
  }

  @Post('nothing')
  @Public()
  @HttpCode(204)
  nothing(): void {}

  @Get('crash')
  @Public()
  crash(): never {
    throw new Error('SELECT password_hash FROM users -- internal detail that must not leak');
  }

  /** Answers after `PROBE_SLOW_MS`, to have a request in flight during shutdown. */
  @Get('slow')
  @Public()
  async slow(): Promise<{ finished: true }> {
    await new Promise((resolve) => setTimeout(resolve, PROBE_SLOW_MS));
    return { finished: true };
  }

  @Get('rate-limited')
  @Public()
  rateLimited(): never {
    throw new RateLimitedError(42);
  }

  @Get('duplicate')
  @Public()
  async duplicate(): Promise<void> {
    const insert = `INSERT INTO users (username, password_hash) VALUES ('dup-user', 'x')`;
    await this.dataSource.query(insert);
    await this.dataSource.query(insert);
  }

  @Get('bad-uuid')
  @Public()
  async badUuid(): Promise<unknown> {
    return this.dataSource.query('SELECT * FROM users WHERE id = $1', ['not-a-uuid']);
  }

  @Get('database')
  @Public()
  async database(): Promise<{ answer: number }> {
    const [row] = await this.dataSource.query<Array<{ answer: number }>>('SELECT 42 AS answer');
    return { answer: row.answer };
  }
}

@Module({ controllers: [ProbeController] })
export class ProbeModule {}
