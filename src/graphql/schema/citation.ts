import type { Citation as CoreCitation, SearchReport as CoreSearchReport } from '../../search/citation.js';
import { builder } from '../builder.js';

export const Citation = builder.objectRef<CoreCitation>('Citation').implement({
  description: 'A numbered web source the model was given; the answer cites it as [index].',
  fields: (t) => ({
    index: t.exposeInt('index', { description: '1-based, as the model cites it.' }),
    url: t.exposeString('url'),
    title: t.exposeString('title'),
    snippet: t.exposeString('snippet'),
  }),
});

const SearchStatus = builder.enumType('SearchStatus', {
  values: {
    OK: { value: 'ok', description: 'The search ran; its results (possibly none) were given to the model.' },
    UNAVAILABLE: {
      value: 'unavailable',
      description: 'The search failed or timed out; the completion went ahead without sources.',
    },
  } as const,
});

export const SearchReport = builder.objectRef<CoreSearchReport>('SearchReport').implement({
  description: 'How the web search of a `search: true` request went.',
  fields: (t) => ({
    status: t.field({ type: SearchStatus, resolve: (report) => report.status }),
    method: t.string({
      description: '"backend" (our search backend) or "native" (the model\'s provider searched itself).',
      resolve: (report) => ('method' in report ? report.method : 'backend'),
    }),
    query: t.string({
      nullable: true,
      description: 'What was searched for; null when the provider searched itself.',
      resolve: (report) => ('query' in report ? report.query : null),
    }),
    results: t.int({
      nullable: true,
      description: 'How many sources the model was given; null when the search was unavailable.',
      resolve: (report) => (report.status === 'ok' ? report.results : null),
    }),
    reason: t.string({
      nullable: true,
      description: 'Why the search was unavailable; null when it ran.',
      resolve: (report) => (report.status === 'unavailable' ? report.reason : null),
    }),
  }),
});
