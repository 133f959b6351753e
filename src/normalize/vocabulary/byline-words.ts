/**
 * The words of bylines that are not names, as data: job titles ("AP Business Writer"), the words that make a
 * credit a desk's rather than a person's ("Staff", "Team", "The Editors"), and the Scottish and Irish "Mac"
 * names whose capitals a shouted byline loses ("MACDONALD" → "MacDonald").
 */

/** The last word of a job title: "Writer", "Correspondent" (plurals too). */
export const TITLE_HEADS: ReadonlySet<string> = new Set([
  'writer', 'reporter', 'correspondent', 'columnist', 'contributor', 'editor', 'photographer', 'producer', 'analyst',
  'critic', 'journalist', 'videographer', 'photojournalist', 'anchor', 'host', 'intern', 'stringer', 'blogger',
]);

/** Words that qualify a job title: "Chief White House Correspondent", "Senior Business Writer". */
export const TITLE_MODIFIERS: ReadonlySet<string> = new Set([
  'staff', 'senior', 'chief', 'local', 'special', 'contributing', 'associate', 'assistant', 'deputy', 'managing',
  'executive', 'national', 'international', 'foreign', 'global', 'regional', 'state', 'city', 'metro', 'political',
  'politics', 'business', 'economics', 'economy', 'financial', 'finance', 'markets', 'energy', 'technology', 'tech',
  'science', 'medical', 'health', 'education', 'environment', 'environmental', 'climate', 'legal', 'law', 'courts',
  'justice', 'crime', 'sports', 'sport', 'entertainment', 'arts', 'culture', 'music', 'film', 'movie', 'television',
  'tv', 'food', 'travel', 'religion', 'diplomatic', 'defense', 'defence', 'military', 'security', 'intelligence',
  'investigative', 'immigration', 'transportation', 'aviation', 'auto', 'automotive', 'retail', 'consumer',
  'personal', 'real', 'estate', 'white', 'house', 'congressional', 'supreme', 'court', 'capitol', 'hill',
  'legislative', 'elections', 'election', 'data', 'digital', 'video', 'photo', 'news', 'freelance', 'general',
  'assignment', 'breaking', 'weekend', 'night', 'beat', 'agriculture', 'farm', 'labor', 'labour', 'workplace',
  'europe', 'asia', 'africa', 'americas', 'washington', 'middle', 'east', 'junior', 'initiative', 'journalism',
  'media', 'community', 'social', 'opinion', 'features', 'books', 'fashion', 'style', 'lifestyle', 'property',
  'motoring', 'wine', 'games', 'gaming', 'affairs', 'home', 'world', 'policy', 'parliamentary', 'lobby', 'industry',
  'transport', 'housing', 'rugby', 'football', 'cricket', 'golf', 'tennis', 'baseball', 'basketball', 'hockey',
  'soccer', 'olympics', 'obituaries', 'weather', 'north', 'south', 'west', 'scotland', 'wales', 'ireland', 'uk', 'us',
  'audience', 'podcast', 'newsletter', 'commissioning', 'picture', 'photography', 'multimedia', 'graphics', 'design',
  'economic', 'banking', 'trade', 'commodities', 'equities', 'currencies', 'bonds', 'investment', 'wealth',
]);

/** Words that make a credit a desk's, an outlet's or a role's, never a person's. */
export const DESK_WORDS: ReadonlySet<string> = new Set([
  'staff', 'team', 'editors', 'editorial', 'desk', 'newsroom', 'bureau', 'board', 'reporters', 'writers',
  'correspondents', 'contributors', 'admin', 'administrator', 'webmaster', 'wire', 'wires', 'services', 'agency',
  'agencies', 'report', 'reports', 'department', 'office', 'online', 'newsdesk', 'redaction', 'redacción', 'redação',
  'redazione', 'redaktion', 'readers', 'viewers', 'listeners',
]);

/** "Mac" surnames by what follows "Mac": only these get an inner capital ("MACHADO" stays "Machado"). */
export const MAC_NAMES: ReadonlySet<string> = new Set([
  'donald', 'dougall', 'kenzie', 'kay', 'leod', 'lean', 'millan', 'arthur', 'gregor', 'neil', 'neill', 'intyre',
  'intosh', 'pherson', 'innis', 'aulay', 'farlane', 'kinnon', 'lennan', 'isaac', 'eachern', 'askill', 'lachlan',
  'laren', 'alister', 'allister', 'naughton', 'phail', 'quarrie', 'rae', 'dermott', 'guire', 'cormack', 'kenna',
  'carthy', 'gillivray', 'crimmon', 'ewan', 'iver', 'ivor', 'kinley', 'nab', 'queen', 'tavish',
]);
