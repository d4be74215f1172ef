import { expect, test } from 'vitest';

test('test workers run on the Node major this CI leg expects', () => {
  console.log(`vitest worker: node ${process.version} at ${process.execPath}`);
  expect(process.env.EXPECT_NODE_MAJOR, 'set EXPECT_NODE_MAJOR').toBeTruthy();
  expect(process.versions.node.split('.')[0]).toBe(process.env.EXPECT_NODE_MAJOR);
});
