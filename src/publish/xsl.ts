/** The `Content-Type` of the feed stylesheet. */
export const XSL_CONTENT_TYPE = 'text/xsl; charset=utf-8';

/**
 * An XSLT 1.0 stylesheet that browsers apply to our RSS and Atom documents, so a person who opens a feed
 * sees a readable page (headlines, dates, summaries, the subscribe URL) instead of raw XML.
 */
export const FEED_XSL = `<?xml version="1.0" encoding="utf-8"?>
<xsl:stylesheet version="1.0" xmlns:xsl="http://www.w3.org/1999/XSL/Transform"
  xmlns:atom="http://www.w3.org/2005/Atom" xmlns:dc="http://purl.org/dc/elements/1.1/" exclude-result-prefixes="atom dc">
  <xsl:output method="html" encoding="utf-8" indent="yes"/>
  <xsl:template match="/">
    <html lang="en">
      <head>
        <meta charset="utf-8"/>
        <meta name="viewport" content="width=device-width, initial-scale=1"/>
        <title><xsl:value-of select="/rss/channel/title | /atom:feed/atom:title"/></title>
        <style>
          body { font: 16px/1.5 system-ui, sans-serif; max-width: 48rem; margin: 2rem auto; padding: 0 1rem; color: #222 }
          .note { background: #fff8dc; padding: .5rem 1rem; border-radius: 4px }
          article { border-top: 1px solid #ddd; padding: .5rem 0 }
          h2 { font-size: 1.1rem; margin: .5rem 0 .25rem }
          .meta { color: #666; font-size: .9rem }
        </style>
      </head>
      <body>
        <p class="note">This is a news feed. Copy its address into a feed reader to subscribe:
          <code><xsl:value-of select="/rss/channel/atom:link[@rel='self']/@href | /atom:feed/atom:link[@rel='self']/@href"/></code></p>
        <h1><xsl:value-of select="/rss/channel/title | /atom:feed/atom:title"/></h1>
        <p><xsl:value-of select="/rss/channel/description | /atom:feed/atom:subtitle"/></p>
        <xsl:for-each select="/rss/channel/item">
          <article>
            <h2><a href="{link}"><xsl:value-of select="title"/></a></h2>
            <p class="meta"><xsl:value-of select="pubDate"/><xsl:if test="dc:creator"> · <xsl:value-of select="dc:creator"/></xsl:if></p>
            <p><xsl:value-of select="description"/></p>
          </article>
        </xsl:for-each>
        <xsl:for-each select="/atom:feed/atom:entry">
          <article>
            <h2><a href="{atom:link[@rel='alternate']/@href}"><xsl:value-of select="atom:title"/></a></h2>
            <p class="meta"><xsl:value-of select="atom:published"/><xsl:if test="atom:author/atom:name"> · <xsl:value-of select="atom:author/atom:name"/></xsl:if></p>
            <p><xsl:value-of select="atom:summary"/></p>
          </article>
        </xsl:for-each>
      </body>
    </html>
  </xsl:template>
</xsl:stylesheet>
`;
