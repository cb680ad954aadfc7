// The label filter the request page sends.
import { expect, test } from 'vitest';
import { MAX_LABEL_FILTERS, parseLabelFilter } from './label-filter.ts';

test('splits on commas and spaces, keeps key=value and bare keys, drops blanks', () => {
  expect(parseLabelFilter(' env=prod,  team ,,')).toEqual(['env=prod', 'team']);
  expect(parseLabelFilter('')).toEqual([]);
  expect(parseLabelFilter(Array.from({ length: 20 }, (_, i) => `k${i}`).join(' '))).toHaveLength(MAX_LABEL_FILTERS);
});
