import type { Response } from 'supertest';

export interface SuccessBody<T = unknown> {
  status: 'success';
  data: T;
}

export interface ErrorBody {
  status: 'error';
  message: string;
  data: { code: string; requestId: string; details?: Array<{ field: string; message: string }> };
}

export const successBody = <T>(response: Response): SuccessBody<T> => response.body as SuccessBody<T>;
export const errorBody = (response: Response): ErrorBody => response.body as ErrorBody;
