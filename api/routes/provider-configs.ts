import { outboundPolicy, resolvedRefusal } from '../../activities/providers/outbound-guard';
import { SecretBox, secretContext } from '../../activities/providers/secret-box';
import { ProviderConfig } from '../../db/entities/index';
import { recordAudit } from '../../db/repositories/audit';
import { requireRole } from '../../db/repositories/memberships';
import { OrgParams } from '../../domain/accounts';
import { AppError, ErrorCode, invalidInput, notFound } from '../../domain/errors';
import { Page } from '../../domain/pagination';
import { outboundAddresses, ProviderConfigBody, ProviderConfigDto, ProviderConfigParams, SaveProviderConfigBody } from '../../domain/providers';
import type { AppDeps } from '../deps';
import { toProviderConfigDto } from '../dto/deliveries';
import { defineRoute } from '../http/route';

export const providerConfigRoutes = (deps: AppDeps) => {
  const box = deps.config.ENCRYPTION_KEY ? new SecretBox(deps.config.ENCRYPTION_KEY) : undefined;
  const outbound = outboundPolicy(deps.config.OUTBOUND_ALLOW_HOSTS);

  return [
    defineRoute({
      method: 'get',
      path: '/orgs/:orgId/providers',
      summary: "The organization's hosting provider settings (admin); secrets are listed by name only",
      tag: 'providers',
      params: OrgParams,
      response: Page(ProviderConfigDto),
      handler: async ({ params }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        const rows = await req.em.find(ProviderConfig, { organization: params.orgId }, { orderBy: { provider: 'asc' } });
        return { items: rows.map(toProviderConfigDto) };
      },
    }),
    defineRoute({
      method: 'put',
      path: '/orgs/:orgId/providers/:provider',
      summary: 'Save the settings and secrets of one hosting provider (admin); secrets are encrypted at rest and never returned',
      tag: 'providers',
      params: ProviderConfigParams,
      body: SaveProviderConfigBody,
      response: ProviderConfigDto,
      handler: async ({ params, body }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        const parsed = ProviderConfigBody.safeParse({ provider: params.provider, ...body });
        if (!parsed.success) {
          // Paths and messages only: zod's issues carry no input values, so no secret is echoed.
          const issues = parsed.error.issues.map((i) => ({ path: ['body', ...i.path.map(String)].join('.'), message: i.message, code: i.code }));
          throw invalidInput(`Invalid ${params.provider} configuration: ${issues[0]?.path}: ${issues[0]?.message}`, { issues });
        }
        // Addresses the workers will call: refused now, with the reason, rather than at the first deploy.
        for (const [path, url] of outboundAddresses(parsed.data)) {
          const reason = await resolvedRefusal(url, outbound);
          if (reason) throw invalidInput(`Invalid ${params.provider} configuration: ${path}: ${reason}`, { issues: [{ path, message: reason, code: 'outbound_refused' }] });
        }
        const secrets = parsed.data.secrets as Record<string, string>;
        const secretNames = Object.keys(secrets).sort();
        if (secretNames.length > 0 && !box) throw new AppError(ErrorCode.unavailable, 'ENCRYPTION_KEY is not set: provider secrets cannot be stored');
        const sealedSecrets = secretNames.length > 0 ? box!.seal(secrets, secretContext(params.orgId, params.provider)) : null;
        const existing = await req.em.findOne(ProviderConfig, { organization: params.orgId, provider: params.provider });
        const row = existing ?? req.em.create(ProviderConfig, { organization: params.orgId, provider: params.provider, settings: {}, secretNames: [], sealedSecrets: null });
        req.em.assign(row, { settings: parsed.data.settings as Record<string, unknown>, sealedSecrets, secretNames });
        recordAudit(req.em, { actorId: req.auth!.userId, organizationId: params.orgId, action: 'provider_config.save', targetType: 'provider_config', targetId: params.provider, ip: req.ip, details: { secretNames } });
        await req.em.flush();
        return toProviderConfigDto(row);
      },
    }),
    defineRoute({
      method: 'delete',
      path: '/orgs/:orgId/providers/:provider',
      summary: "Forget a provider's settings and secrets (admin)",
      tag: 'providers',
      params: ProviderConfigParams,
      status: 204,
      handler: async ({ params }, req) => {
        await requireRole(req.em, req.auth!.userId, params.orgId, 'admin');
        const row = await req.em.findOne(ProviderConfig, { organization: params.orgId, provider: params.provider });
        if (!row) throw notFound(`${params.provider} configuration`);
        req.em.remove(row);
        recordAudit(req.em, { actorId: req.auth!.userId, organizationId: params.orgId, action: 'provider_config.delete', targetType: 'provider_config', targetId: params.provider, ip: req.ip });
        await req.em.flush();
      },
    }),
  ];
};
