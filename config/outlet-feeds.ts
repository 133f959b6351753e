import type { WirefeedConfigInput } from '../src/config.ts';

// The outlet feeds both editions publish (Node: wirefeed.config.ts, Workers: worker.config.ts).
export const outletFeeds: NonNullable<WirefeedConfigInput['feeds']> = [
  {
    name: 'alberta',
    title: 'Alberta',
    description: 'Stories filed under Alberta',
    filter: { categories: ['Alberta'], excludeCategories: ['Sports'] },
  },
  {
    name: 'politics',
    title: 'Politics',
    filter: { categories: ['Politics'] },
  },
];
