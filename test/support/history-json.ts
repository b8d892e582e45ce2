import { createRequire } from 'node:module';
import type { History } from '@temporalio/common/lib/proto-utils';

/**
 * Workflow histories to and from Temporal's JSON history format (proto3 JSON: what
 * `temporal workflow show --output json` prints and the Web UI downloads).
 *
 * Why not the SDK's historyToJSON/historyFromJSON: in this dependency tree the root protobufjs is
 * grpc's v7, so @temporalio/common and @temporalio/proto each get a nested protobufjs v8 of their
 * own, and common's protojson rejects proto's types ("type must be a Type"). The same conversion
 * with the protobufjs instance that @temporalio/proto itself loads works in any install layout.
 */

interface HistoryType {
  fromObject(value: History): unknown;
}
interface ProtoJson {
  toJson(type: HistoryType, message: unknown): unknown;
  fromJson(type: HistoryType, json: unknown, options: { ignoreUnknownFields: boolean }): History;
}

const fromProto = createRequire(createRequire(import.meta.url).resolve('@temporalio/proto'));
const protojson = fromProto('protobufjs/ext/protojson') as ProtoJson;
const { patchProtobufRoot } = fromProto('../lib/patch-protobuf-root') as { patchProtobufRoot: <T>(root: T) => T & { lookupType(name: string): HistoryType } };
const historyType = patchProtobufRoot(fromProto('./index.js')).lookupType('temporal.api.history.v1.History');

export const historyToJson = (history: History): string => JSON.stringify(protojson.toJson(historyType, historyType.fromObject(history)), null, 2);

// Tolerates fields a newer server may add, as the SDK does.
export const historyFromJson = (json: unknown): History => protojson.fromJson(historyType, json, { ignoreUnknownFields: true });
