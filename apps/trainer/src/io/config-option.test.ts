import { TipsError } from '@tips/runtime';
import { parseConfigOption } from './config-option';

class DemoUsageError extends TipsError {
  constructor(message: string) {
    super('DEMO_USAGE', message);
  }
}

test('--config: absent, a JSON object, bad JSON and a non-object, with the command’s own error class', () => {
  expect(parseConfigOption(undefined, DemoUsageError)).toBeUndefined();
  expect(parseConfigOption('{"embedDim": 32, "depth": 2}', DemoUsageError)).toEqual({ embedDim: 32, depth: 2 });
  expect(() => parseConfigOption('{embedDim: 32}', DemoUsageError)).toThrow(DemoUsageError);
  expect(() => parseConfigOption('{embedDim: 32}', DemoUsageError)).toThrow(/--config is not valid JSON/);
  expect(() => parseConfigOption('[1, 2]', DemoUsageError)).toThrow(/--config must be a JSON object/);
});
