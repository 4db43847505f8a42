/**
 * Node's file system, loaded on first use. Every module of @tips/runtime that touches files goes
 * through here, so that the package imports no Node built-in at load time and bundles for browsers
 * (where only the in-memory paths — bytes, URLs — are used).
 */
import { loadModule } from './load-module';

export type NodeFs = typeof import('node:fs/promises');
export type NodePath = typeof import('node:path');

let fsp: Promise<NodeFs> | null = null;
let pathp: Promise<NodePath> | null = null;

export function nodeFs(): Promise<NodeFs> {
  fsp ??= loadModule<NodeFs>('node:fs/promises');
  return fsp;
}

export function nodePath(): Promise<NodePath> {
  pathp ??= loadModule<NodePath>('node:path');
  return pathp;
}
