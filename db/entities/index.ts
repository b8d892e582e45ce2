import { AgentJob } from './agent-job';
import { AgentSession } from './agent-session';
import { AuditLog } from './audit-log';
import { CodeVersion } from './code-version';
import { Deployment } from './deployment';
import { Event } from './event';
import { FileBlob } from './file-blob';
import { GithubConnection } from './github-connection';
import { GithubDelivery } from './github-delivery';
import { IdempotencyKey } from './idempotency-key';
import { Invite } from './invite';
import { Membership } from './membership';
import { Organization } from './organization';
import { Preview } from './preview';
import { Project } from './project';
import { ProviderConfig } from './provider-config';
import { RefreshToken } from './refresh-token';
import { SessionMessage } from './session-message';
import { SessionSummary } from './session-summary';
import { SourceFile } from './source-file';
import { TopicHead } from './topic-head';
import { User } from './user';
import { VersionCommit } from './version-commit';

export { AuditLog, Invite, Membership, Organization, RefreshToken, User, Event, TopicHead, IdempotencyKey };
export { Project, CodeVersion, SourceFile, FileBlob };
export { Preview, Deployment, ProviderConfig };

// Every entity the ORM knows. Add new entities here.
export { AgentSession, AgentJob, SessionMessage, SessionSummary, GithubConnection, GithubDelivery, VersionCommit };

export const entities = [AgentSession, AgentJob, SessionMessage, SessionSummary, GithubConnection, GithubDelivery, VersionCommit, User, Organization, Membership, AuditLog, RefreshToken, Invite, Event, TopicHead, Project, CodeVersion, SourceFile, FileBlob, Preview, Deployment, ProviderConfig, IdempotencyKey];
