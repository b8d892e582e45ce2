import type { z } from 'zod';
import type {
  AuditEntryDto, CreateInviteBody, InviteDto, LoginBody, LoginResponse, MeResponse, MemberDto, MembershipOfMe, MyOrganization,
  SignupBody, SignupResponse, TokenPair,
} from '../domain/accounts';
import type { Page, PageQuery } from '../domain/pagination';
import type { Role } from '../domain/roles';
import { pathOf, type Request } from './http-transport';
import type { TokenSession } from './token-session';

export type PageOptions = Partial<PageQuery>;

/** Accounts: sign-in (the client keeps the tokens it receives), organizations, members, invites. */
export function accountsApi(request: Request, session: TokenSession) {
  const keep = <T extends TokenPair>(answer: T) => (session.set({ accessToken: answer.accessToken, refreshToken: answer.refreshToken }), answer);
  return {
    auth: {
      signup: async (body: SignupBody) => keep(await request<z.infer<typeof SignupResponse>>('POST', '/auth/signup', { body, auth: false })),
      login: async (body: LoginBody) => keep(await request<z.infer<typeof LoginResponse>>('POST', '/auth/login', { body, auth: false })),
      /** Rotates the tokens now; calls that meet a 401 do this on their own. */
      refresh: async () => {
        const refreshed = await session.refreshAfter(session.accessToken);
        return refreshed ? { accessToken: session.accessToken!, refreshToken: session.refreshToken! } : null;
      },
      /** Revokes the refresh token (and its whole sign-in) and forgets the tokens. */
      logout: async () => {
        const refreshToken = session.refreshToken;
        session.clear();
        if (refreshToken) await request<void>('POST', '/auth/logout', { body: { refreshToken }, auth: false });
      },
    },
    me: () => request<MeResponse>('GET', '/me'),
    orgs: {
      list: (page?: PageOptions) => request<Page<MyOrganization>>('GET', '/orgs', { query: page }),
      create: (body: { name: string }) => request<MyOrganization>('POST', '/orgs', { body }),
      audit: (orgId: string, page?: PageOptions) => request<Page<AuditEntryDto>>('GET', pathOf('orgs', orgId, 'audit'), { query: page }),
    },
    members: {
      list: (orgId: string, page?: PageOptions) => request<Page<MemberDto>>('GET', pathOf('orgs', orgId, 'members'), { query: page }),
      changeRole: (orgId: string, userId: string, role: Role) => request<MemberDto>('PATCH', pathOf('orgs', orgId, 'members', userId), { body: { role } }),
      remove: (orgId: string, userId: string) => request<void>('DELETE', pathOf('orgs', orgId, 'members', userId)),
    },
    invites: {
      /** The answer holds the invite's token once: send it to the invitee. */
      create: (orgId: string, body: z.input<typeof CreateInviteBody>) => request<InviteDto>('POST', pathOf('orgs', orgId, 'invites'), { body }),
      accept: (token: string) => request<MembershipOfMe>('POST', pathOf('invites', token, 'accept')),
    },
  };
}
