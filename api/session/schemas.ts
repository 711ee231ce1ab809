/** The JSON Schemas of login and the calling user: request bodies, queries, path parameters and responses. */
import { ROLE_IDS } from '../../domain/vocabulary';
import { named, obj, str, text, enumOf, arrayOf } from '../schema';
import { nid, record } from '../common-schemas';

// ------------------------------------------------------------------ auth
export const LoginBody = named('LoginRequest', obj({ username: text(100), password: text(200) }, ['username', 'password']));
export const LoginResponse = named('LoginResponse', obj({ token: str() }, ['token']));
export const PrincipalSchema = record('Principal', { username: str(), roles: arrayOf(enumOf(ROLE_IDS)), apPartnerId: nid() });
