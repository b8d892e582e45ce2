import { UniqueConstraintViolationException } from '@mikro-orm/core';
import { User } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { createOrganization } from '../../db/repositories/organizations';
import { LoginBody, LoginResponse, RefreshBody, SignupBody, SignupResponse, TokenPair } from '../../domain/accounts';
import { conflict, unauthorized } from '../../domain/errors';
import { hashPassword, verifyAgainstNobody, verifyPassword } from '../auth/passwords';
import { accountThrottle } from '../auth/account-throttle';
import { authRateLimit } from '../auth/rate-limit';
import { endSession, issueSession, rotateSession } from '../auth/sessions';
import type { AppDeps } from '../deps';
import { toOrganizationDto, toUserDto } from '../dto/accounts';
import { defineRoute } from '../http/route';

const emailTaken = () => conflict('An account with this email already exists');

export const authRoutes = (deps: AppDeps) => {
  const before = [authRateLimit(deps.config.AUTH_RATE_LIMIT)];
  const perAccount = accountThrottle(deps.config.LOGIN_FAILURES_PER_ACCOUNT);
  return [
    defineRoute({
      method: 'post',
      path: '/auth/signup',
      creates: { under: '/orgs/:orgId', param: 'orgId', pointer: '/organization/id' },
      summary: 'Create an account with a personal organization (you are its admin) and sign in',
      tag: 'auth',
      auth: false,
      before,
      body: SignupBody,
      status: 201,
      response: SignupResponse,
      handler: async ({ body }, req) => {
        if (await req.em.count(User, { email: body.email })) throw emailTaken();
        const user = req.em.create(User, { email: body.email, name: body.name, passwordHash: await hashPassword(body.password) });
        const { organization } = createOrganization(req.em, user.id, body.organizationName ?? `${body.name}'s organization`);
        const session = await issueSession(req.em, deps, user.id);
        const ip = req.ip;
        recordAudit(req.em, { actorId: user.id, organizationId: organization.id, action: 'auth.signup', targetType: 'user', targetId: user.id, ip });
        recordAudit(req.em, { actorId: user.id, organizationId: organization.id, action: 'org.create', targetType: 'organization', targetId: organization.id, ip });
        try {
          await req.em.flush();
        } catch (err) {
          // Two signups with one email racing past the check above: the unique index decides.
          if (err instanceof UniqueConstraintViolationException) throw emailTaken();
          throw err;
        }
        return { user: toUserDto(user), organization: toOrganizationDto(organization), accessToken: session.accessToken, refreshToken: session.refreshToken };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/login',
      summary: 'Sign in with email and password',
      tag: 'auth',
      auth: false,
      before,
      body: LoginBody,
      response: LoginResponse,
      handler: async ({ body }, req) => {
        // Checked for unknown emails too, so the throttle tells nothing about which accounts exist.
        perAccount.check(body.email);
        const user = await req.em.findOne(User, { email: body.email });
        // Same work and same answer for an unknown email and a wrong password: no account enumeration.
        const valid = user ? await verifyPassword(user.passwordHash, body.password) : await verifyAgainstNobody(body.password);
        if (!user || !valid) {
          perAccount.failed(body.email);
          throw unauthorized('Email or password is incorrect');
        }
        perAccount.succeeded(body.email);
        const session = await issueSession(req.em, deps, user.id);
        recordAudit(req.em, { actorId: user.id, organizationId: null, action: 'auth.login', targetType: 'session', targetId: session.familyId, ip: req.ip });
        await req.em.flush();
        return { user: toUserDto(user), accessToken: session.accessToken, refreshToken: session.refreshToken };
      },
    }),
    defineRoute({
      method: 'post',
      path: '/auth/refresh',
      summary: 'Trade a refresh token for a new access and refresh token (the old one is spent)',
      tag: 'auth',
      auth: false,
      before,
      body: RefreshBody,
      response: TokenPair,
      handler: async ({ body }, req) => rotateSession(req.em, deps, body.refreshToken, req.ip),
    }),
    defineRoute({
      method: 'post',
      path: '/auth/logout',
      summary: 'Revoke the refresh token and every token rotated from the same sign-in',
      tag: 'auth',
      auth: false,
      before,
      body: RefreshBody,
      status: 204,
      handler: async ({ body }, req) => endSession(req.em, body.refreshToken, req.ip),
    }),
  ];
};
