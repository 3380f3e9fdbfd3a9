import fc from 'fast-check';

/**
 * Arbitrary GraphQL requests for fuzzing the server: documents made of our own field and
 * argument names (so many get past validation), values nested a little or thousands of
 * levels, garbage text, and variables of any JSON shape. A nesting too deep to stringify
 * is carried as a placeholder string and spelled out by `spellOut` on the wire.
 */

const deepMarker = '__fuzz_deep__';

/** A placeholder for `[[[…]]]` or `{"a":{"a":…}}` nested `depth` levels. */
const deepPlaceholder = (depth: number, object: boolean) => `${deepMarker}${object ? 'o' : 'l'}${depth}`;

/** The JSON text of a request, with every deep placeholder written out in full. */
export function spellOut(json: string): string {
  return json.replace(
    new RegExp(`"${deepMarker}([ol])(\\d+)"`, 'g'),
    (_match, kind: string, depth: string) => {
      const n = Number(depth);
      return kind === 'o' ? `${'{"a":'.repeat(n)}1${'}'.repeat(n)}` : `${'['.repeat(n)}1${']'.repeat(n)}`;
    },
  );
}

const fieldNames = [
  'models',
  'me',
  'health',
  'usage',
  'conversations',
  'conversation',
  'apiKeys',
  'completion',
  'completionStream',
  'createApiKey',
  'renameConversation',
  'deleteConversation',
  'setApiKeyLimits',
  'id',
  'name',
  'edges',
  'node',
  'title',
  'totals',
  'requests',
  'message',
  'content',
  'text',
  'usage',
  '__typename',
  '__schema',
  'types',
  'fields',
];
const argumentNames = [
  'input',
  'id',
  'first',
  'after',
  'last',
  'from',
  'to',
  'groupBy',
  'title',
  'limits',
  'x',
];
const inputFieldNames = ['messages', 'models', 'role', 'content', 'type', 'text', 'name', 'temperature', 'a'];

const name = fc.oneof(fc.constantFrom(...fieldNames), fc.stringMatching(/^[_A-Za-z][_0-9A-Za-z]{0,6}$/));

const scalarLiteral = fc.oneof(
  fc.integer().map(String),
  fc.double({ noNaN: true, noDefaultInfinity: true }).map((n) => String(n)),
  fc.string({ maxLength: 12 }).map((s) => JSON.stringify(s)),
  fc.constantFrom('true', 'false', 'null', 'USER', 'SYSTEM', 'TEXT', 'MODEL', '"local/echo"', '$input', '$x'),
);

/** A GraphQL value literal, nested a little. */
const valueLiteral: fc.Arbitrary<string> = fc.letrec<{ value: string }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    scalarLiteral,
    fc.array(tie('value'), { maxLength: 3 }).map((values) => `[${values.join(', ')}]`),
    fc
      .array(fc.tuple(fc.constantFrom(...inputFieldNames), tie('value')), { maxLength: 3 })
      .map((fields) => `{${fields.map(([key, value]) => `${key}: ${value}`).join(', ')}}`),
  ),
})).value;

/**
 * A nesting depth: past every limit, or deep enough to overflow a recursive parser. For a
 * document literal that is just under 2000 levels, where the armor's token limit stops the
 * parser: whether graphql-js overflows there depends on how V8 has compiled it so far.
 */
const depthOf = (deep: number, deepest: number) =>
  fc.oneof(fc.integer({ min: 20, max: 300 }), fc.integer({ min: deep, max: deepest }));

/** Lists or input objects nested far deeper than any real operation, up to thousands of levels. */
const deepLiteral = fc
  .tuple(depthOf(1990, 2100), fc.constantFrom('[', '{a: '))
  .map(([depth, open]) => `${open.repeat(depth)}1${(open === '[' ? ']' : '}').repeat(depth)}`);

const argumentsOf = fc
  .array(
    fc.tuple(
      fc.constantFrom(...argumentNames),
      fc.oneof({ weight: 2, arbitrary: valueLiteral }, deepLiteral),
    ),
    {
      maxLength: 2,
    },
  )
  .map((args) => (args.length === 0 ? '' : `(${args.map(([key, value]) => `${key}: ${value}`).join(', ')})`));

/** A selection set, a few levels deep. */
const selectionSet: fc.Arbitrary<string> = fc.letrec<{ selections: string }>((tie) => ({
  selections: fc
    .array(
      fc.oneof(
        { depthSize: 'small' },
        fc.tuple(name, argumentsOf).map(([field, args]) => `${field}${args}`),
        fc
          .tuple(name, argumentsOf, tie('selections'))
          .map(([field, args, inner]) => `${field}${args} ${inner}`),
        tie('selections').map((inner) => `... on Query ${inner}`),
      ),
      { minLength: 1, maxLength: 3 },
    )
    .map((fields) => `{ ${fields.join(' ')} }`),
})).selections;

/** Selections nested thousands of levels deep. */
const deepSelections = fc
  .tuple(depthOf(900, 3000), fc.constantFrom('me', 'a'))
  .map(([depth, field]) => `{ ${`${field} { `.repeat(depth)}id${' }'.repeat(depth)} }`);

const variableDefinitions = fc
  .array(
    fc.tuple(
      fc.constantFrom('input', 'x', 'id', 'first'),
      fc.constantFrom('CompletionInput!', 'Int', '[Int]', 'ID!', 'String', 'JSON', '[[[[Int]]]]', 'DateTime'),
      fc.option(valueLiteral, { nil: undefined }),
    ),
    { maxLength: 2 },
  )
  .map((definitions) =>
    definitions.length === 0
      ? ''
      : `(${definitions.map(([variable, type, value]) => `$${variable}: ${type}${value ? ` = ${value}` : ''}`).join(', ')})`,
  );

const operation = fc
  .tuple(
    fc.constantFrom('query', 'mutation', 'subscription', ''),
    fc.option(fc.stringMatching(/^[A-Z][a-z]{0,5}$/), { nil: undefined }),
    variableDefinitions,
    fc.oneof({ weight: 5, arbitrary: selectionSet }, deepSelections),
  )
  .map(([kind, opName, definitions, selections]) =>
    kind === '' ? selections : `${kind} ${opName ?? ''}${definitions} ${selections}`,
  );

/** Text made of GraphQL punctuation and keywords, mostly not a document at all. */
const garbage = fc
  .array(
    fc.constantFrom(
      '{',
      '}',
      '[',
      ']',
      '(',
      ')',
      '$',
      ':',
      '!',
      '@',
      '"',
      '"""',
      '#',
      '...',
      '=',
      ',',
      ' ',
      '\n',
      'query',
      'subscription',
      'fragment',
      'on',
      'me',
      'models',
      '\\u',
      '\u0000',
      '\uFFFF',
    ),
    { maxLength: 80 },
  )
  .map((parts) => parts.join(''));

/** A valid-looking document cut off somewhere, or with a character dropped in. */
const damaged = fc
  .tuple(operation, fc.nat(), fc.constantFrom('', '{', '"', '[', '#', '$'))
  .map(([document, at, insert]) => {
    const index = at % (document.length + 1);
    return document.slice(0, index) + insert + document.slice(index + (insert === '' ? document.length : 0));
  });

/** Any query text a client might send. */
export const documentArbitrary = fc.oneof(
  { weight: 5, arbitrary: operation },
  { weight: 2, arbitrary: garbage },
  { weight: 2, arbitrary: damaged },
);

const deepJson = fc
  .tuple(depthOf(1000, 100_000), fc.boolean())
  .map(([depth, object]) => deepPlaceholder(depth, object));

/** A variable value: ordinary JSON, a plausible completion input, or thousands of levels deep. */
const variableValue = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  {
    weight: 2,
    arbitrary: fc.record({
      messages: fc.oneof(
        fc.constant([{ role: 'USER', content: [{ type: 'TEXT', text: 'hi' }] }]),
        fc.jsonValue({ maxDepth: 3 }),
        deepJson,
      ),
      models: fc.oneof(fc.constant(['local/echo']), fc.jsonValue({ maxDepth: 2 })),
    }),
  },
  { weight: 2, arbitrary: deepJson },
);

/** The `variables` of a request as a client library lets them through: an object, or none. */
export const variableObjectArbitrary = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.dictionary(fc.constantFrom('input', 'x', 'id', 'first'), variableValue, { maxKeys: 2 }),
  },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null) },
);

/** The `variables` of a request: mostly an object, sometimes any JSON at all. */
export const variablesArbitrary = fc.oneof(
  { weight: 7, arbitrary: variableObjectArbitrary },
  { weight: 1, arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), deepJson) },
);

/** One whole GraphQL-over-HTTP request body, as a client's JSON text. */
export const requestBodyArbitrary = fc.oneof(
  {
    weight: 8,
    arbitrary: fc
      .record(
        {
          query: fc.oneof(
            { weight: 9, arbitrary: documentArbitrary },
            fc.jsonValue({ maxDepth: 2 }),
            deepJson,
          ),
          variables: variablesArbitrary,
          operationName: fc.oneof(fc.stringMatching(/^[A-Z][a-z]{0,5}$/), fc.jsonValue({ maxDepth: 1 })),
          extensions: fc.oneof(fc.jsonValue({ maxDepth: 2 }), deepJson),
        },
        { requiredKeys: ['query'] },
      )
      .map((body) => spellOut(JSON.stringify(body))),
  },
  // Not a request object at all.
  {
    weight: 1,
    arbitrary: fc.oneof(fc.jsonValue({ maxDepth: 2 }), deepJson).map((v) => spellOut(JSON.stringify(v))),
  },
  { weight: 1, arbitrary: garbage },
);
