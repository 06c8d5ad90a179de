import { RequestMethod } from '@nestjs/common';
import { HTTP_CODE_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { ModulesContainer, Reflector } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import { type AuthLevel, RequireAuth, RequireScope } from '../../src/common/auth/auth-level.js';
import { HandlerCredentials } from '../../src/common/auth/auth.decorators.js';
import type { Scope } from '../../src/common/auth/scopes.js';

export interface RouteInfo {
  label: string;
  path: string;
  level: AuthLevel | undefined;
  /** The scope a restricted credential (personal access token, agent key) needs, if the route names one. */
  scope: Scope | undefined;
  /** Security schemes a public route's handler checks itself (`PublicCheckedByHandler`). */
  handlerCredentials: string[];
  /** The status `@HttpCode` fixes, if any. */
  httpCode: number | undefined;
}

const joinPath = (...parts: string[]): string =>
  `/${parts
    .flatMap((part) => part.split('/'))
    .filter(Boolean)
    .join('/')}`;

/** Every route of every controller in the application, with the auth level it declares (if any). */
export function routeInventory(app: INestApplication, prefix = 'api'): RouteInfo[] {
  const reflector = new Reflector();
  const routes: RouteInfo[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const wrapper of module.controllers.values()) {
      const controller = wrapper.metatype as (new (...args: never[]) => object) | null;
      if (!controller) {
        continue;
      }
      const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
      const methods = Object.getOwnPropertyNames(controller.prototype).filter((name) => name !== 'constructor');
      for (const name of methods) {
        const handler = (controller.prototype as Record<string, unknown>)[name];
        if (typeof handler !== 'function' || Reflect.getMetadata(PATH_METADATA, handler) === undefined) {
          continue;
        }
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = joinPath(prefix, base, String(Reflect.getMetadata(PATH_METADATA, handler)));
        const level = reflector.getAllAndOverride(RequireAuth, [handler, controller]);
        routes.push({
          label: `${method} ${path}`,
          path,
          level,
          scope: reflector.getAllAndOverride(RequireScope, [handler, controller]),
          handlerCredentials: reflector.get(HandlerCredentials, handler) ?? [],
          httpCode: Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined,
        });
      }
    }
  }
  return routes;
}
