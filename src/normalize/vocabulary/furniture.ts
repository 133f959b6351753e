/**
 * Site furniture as data: the lines publishing systems add around a story (WordPress, Feedburner, social
 * embeds, share bars, tag lines, promos, boilerplate), the headings of sibling-story lists, the read-more
 * markers, and the addresses of tracking pixels. Patterns use the syntax of `NormalizeRules` (a phrase, or
 * `/regex/flags`); multilingual where the publishing systems are.
 */

/** Whole lines dropped wherever they stand. */
export const FURNITURE_LINES: readonly string[] = [
  // WordPress appends "The post <title> appeared first on <site>."
  '/^The post .{1,400} appeared first on .{1,200}$/is',
  // Tag and filing lines: "Filed under: Laptops", "Tags: a, b", "Related: <a story>", "Posted in News".
  '/^(?:Filed under|Tags?|Tagged(?: with| as)?|Topics|Categories|Category|Related|Posted in|Schlagwörter|Schlagworte|Themen|Étiquettes|Mots-clés|Etiquetas|Tópicos|Temas|Argomenti)\\s*:.{0,400}$/is',
  '/^(?:Filed under|Posted in)\\s+.{1,200}$/i',
  // Social embeds that did not render: Instagram's fallback text, in the languages it ships.
  '/^(?:View this (?:post|photo|video|profile) on Instagram|Ver ess[ae] (?:foto|publicação|publicacao|vídeo|video|perfil) no Instagram|Ver esta (?:publicación|foto) en Instagram|Voir cette publication sur Instagram|Diesen Beitrag auf Instagram ansehen|Visualizza questo post su Instagram|Bekijk dit bericht op Instagram)\\W*$/i',
  '/^(?:A post shared by|Uma publicação compartilhada (?:por|de)|Una publicación compartida (?:por|de)|Une publication partagée par|Ein Beitrag geteilt von|Un post condiviso da|Een bericht gedeeld door)\\b.{0,300}$/is',
  '/^(?:Watch|View) (?:this|the) (?:video|post|tweet) on (?:YouTube|Twitter|X|Facebook|TikTok)\\W*$/i',
  // Share and embed bars: "Share", "Share this article", "Tweet this", "Email this", "Share on Facebook".
  '/^(?:Share|Share this(?: (?:article|story|post|page))?|Tweet|Tweet this|Email|E-mail|Email this|Print|Print this|Embed|Teilen|Partager|Compartilhe|Compartilhar|Compartir|Condividi|Delen)(?:\\s+(?:on|via|with|auf|sur|no|na|en|su|op)\\s+[\\p{L}+ ]{1,30})?\\W*$/iu',
  '/^(?:Share|Tweet|Email) (?:this|on)\\b.{0,40}$/i',
  // Feedburner flare and old bookmarking links.
  '/^(?:Add to (?:del\\.icio\\.us|digg|Google|Technorati|Facebook|Twitter)|Digg this|Bookmark (?:this|it) (?:on|with|at)\\b).{0,60}$/i',
  '/\\bpermalink\\b.{0,40}\\bemail this\\b/i',
  // Comment counts and prompts: "12 comments", "Leave a reply", "Kommentare (3)".
  '/^\\(?\\d{1,6}\\)?\\s+(?:comments?|responses?|replies|Kommentare?|commentaires?|comentários?|comentarios?|commenti)\\W*$/i',
  '/^(?:Leave a (?:comment|reply)|Add a comment|Post a comment|Comments?|Kommentare?|Commentaires?|Comentários?|Comentarios?)(?:\\s*\\(\\d{1,6}\\))?\\W*$/i',
  // Advertising labels.
  '/^(?:Advertisement|Advertising|Anzeige|Werbung|Publicité|Publicidade|Publicidad|Pubblicità|Sponsored|Sponsored content)\\W*$/i',
  // Newsletter and app promos (short lines only: a sentence about a newsletter stays).
  '/^(?=.{0,200}$)(?:[^.!?]{0,40}[:—–-]\\s*)?(?:Sign up|Subscribe|Register|Join|Get)\\b.{0,60}\\b(?:newsletters?|to our|for our|for free)\\b/is',
  '/^(?=.{0,200}$)(?:Download|Get|Install) (?:the|our) .{0,40}\\bapp\\b/is',
  '/^(?=.{0,200}$)(?:Abonnieren Sie|Abonnez-vous|Assine|Inscreva-se|Suscríbete|Iscriviti)\\b.{0,80}\\b(?:Newsletter|newsletter|boletim|boletín)\\b/is',
  // Chinese copy closes with "（完）" (the end), as English copy with "-30-".
  '/^[（(]\\s*完\\s*[）)]$/u',
];

/** Copyright boilerplate: it leaves the body for the item's `copyrightNotice`. */
export const COPYRIGHT_LINES: readonly string[] = [
  // Copyright boilerplate: "© 2021 Example Media. All rights reserved."
  '/^(?:©|\\(c\\)|Copyright\\s*(?:©|\\(c\\)|\\d{4}))\\s*.{0,160}$/is',
  '/^(?:All rights reserved|Alle Rechte vorbehalten|Tous droits réservés|Todos os direitos reservados|Todos los derechos reservados)\\W*$/i',
  '/^This (?:article|story|material) (?:may not|must not) be (?:published|reproduced|broadcast|rewritten|redistributed)\\b.{0,200}$/is',
];

/**
 * Headings of a fact box the site appends to the story (TechCrunch's CrunchBase company profiles): the box is
 * no part of the story, but it is the publisher's text, so it moves to a body of its own (role `factbox`).
 */
export const FACT_BOX_HEADINGS: readonly string[] = ['/^Crunch[Bb]ase(?:\\s+(?:Profile|Information|Info))?\\W*$/'];

/** Headings of sibling-story lists; a heading only counts when linked lines follow it. */
export const SIBLING_HEADINGS: readonly string[] = [
  '/^(?:Just Posted|More from\\b.{0,60}|More stories(?: from\\b.{0,60})?|More (?:on|about) this (?:story|topic)|Also on\\b.{0,60}|Previously(?: on\\b.{0,60})?|Related(?: (?:stories|articles|news|posts|coverage|content|links|reading))?|See also|Trending(?: now| stories| on\\b.{0,40})?|You (?:may|might) also like|Recommended(?: for you| stories| reading)?|Latest(?: news| stories| headlines| from\\b.{0,60})?|Read (?:more|also|next)|Also read|Most (?:read|popular|viewed)|Top stories|Mehr zum Thema|Auch interessant|Lesen Sie auch|Das könnte Sie auch interessieren|À lire aussi|Lire aussi|Sur le même sujet|Leia também|Leia mais|Veja também|Lea también|Leer más|Te puede interesar|Leggi anche)\\W*$/iu',
];

/** Read-more markers ending an excerpt ("… Continue reading", "Read more »", "[…]"), phrase or regex. */
export const READ_MORE: readonly string[] = [
  'Continue reading',
  'Read more',
  'Read the full story',
  'Read the full article',
  'Read the rest of this entry',
  'Read the rest',
  'Keep reading',
  'Full story',
  'View full post',
  'View full article',
  'Weiterlesen',
  'Mehr lesen',
  'Lire la suite',
  'Leia mais',
  'Continue lendo',
  'Leer más',
  'Seguir leyendo',
  'Continua a leggere',
  'Lees meer',
  // WordPress excerpts end with "[…]" or "[...]".
  '/\\s*\\[(?:\u2026|\\.{3})\\]\\s*$/u',
];

/** Tracking pixels and ad servers: phrases match anywhere in the address, regexes test it. */
export const TRACKING_IMAGES: readonly string[] = [
  'pixel.wp.com/',
  'stats.wp.com/',
  'stats.wordpress.com/',
  '/^https?:\\/\\/(?:feeds\\.feedburner\\.com|feedproxy\\.google\\.com)\\/~(?:r|ff|a|at|fc)\\//i',
  '/^https?:\\/\\/(?:[^/]+\\.)?(?:doubleclick\\.net|googlesyndication\\.com|googleadservices\\.com|adservice\\.google\\.com|2mdn\\.net|moatads\\.com|scorecardresearch\\.com|quantserve\\.com|imrworldwide\\.com|chartbeat\\.net|feedads\\.googleadservices\\.com)\\//i',
  // Counters: a query string on a counting script or a pixel/beacon path (cpx.php?…, /pixel?…, /b.gif?…).
  '/\\/(?:cpx|pixel|beacon|count|counter|track|tracker|tracking|impression|imp|stat|stats|hit|b|t|p|1x1|spacer|clear)(?:\\.(?:php|gif|png|asp|aspx|cgi|jsp))?\\?./i',
  // Feedpress and similar per-item counters: /link/<feed>/<item>.gif.
  '/\\/link\\/\\d+\\/\\d+\\.gif(?:$|\\?)/i',
];
