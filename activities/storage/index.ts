export { storageFor } from './storage-for';
export type { SavedVersion, SaveVersionInput, StorageBackend } from './storage-backend';
