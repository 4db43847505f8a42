#!/usr/bin/env node
// Turns the vendored ONNX schema (schema/onnx.proto, proto2) into the protobufjs JSON descriptor that
// src/onnx/proto.ts loads with protobufjs/light (no .proto parser at runtime, works in browsers).
// Run after updating schema/onnx.proto: node scripts/gen-onnx-schema.mjs
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const source = readFileSync(join(root, 'schema', 'onnx.proto'), 'utf8');
// keepCase: the JSON keeps the schema's snake_case field names (raw_data, opset_import, ...).
const parsed = protobuf.parse(source, { keepCase: true });
const json = parsed.root.toJSON();
writeFileSync(join(root, 'src', 'onnx', 'onnx-schema.json'), JSON.stringify(json) + '\n');
console.error(`wrote src/onnx/onnx-schema.json (${Object.keys(json.nested.onnx.nested).length} types)`);
