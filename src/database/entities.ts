import { UserEntity } from '../modules/users/user.entity.js';

/** The one explicit list of entity classes; the app, the TypeORM CLI and the tests share it. */
export const entities = [UserEntity];
