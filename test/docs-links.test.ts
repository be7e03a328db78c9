// Every relative link and image in the docs must resolve: the target file exists and, for a
// #fragment, the target markdown has a heading with that slug (GitHub's rule). Links with a
// scheme (https:, mailto:) are not checked; neither is anything inside code.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('..', import.meta.url));
const docs = [
  'README.md',
  'CHANGELOG.md',
  'bench/README.md',
  ...readdirSync(join(root, 'docs')).filter((name) => name.endsWith('.md')).map((name) => `docs/${name}`),
];

/** The text outside fenced code blocks and inline code spans. */
const prose = (markdown: string) => markdown.replace(/^(`{3,}|~{3,})[^]*?^\1/gm, '').replace(/`[^`\n]*`/g, '');

/** The targets of `[text](target)` and `![alt](target "title")`. */
const links = (markdown: string) => [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]);

/** GitHub's heading anchors: lower case, punctuation dropped, spaces to '-', repeats numbered -1, -2, … */
function anchors(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const slugs = new Set<string>();
  for (const [, heading] of markdown.replace(/^(`{3,}|~{3,})[^]*?^\1/gm, '').matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const text = heading.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1');
    const slug = text.toLowerCase().replace(/[^\p{L}\p{N}\s_-]/gu, '').replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    slugs.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return slugs;
}

/** What is wrong with each relative link of `doc` (a path from the repository root). */
function brokenLinks(doc: string): string[] {
  const markdown = readFileSync(join(root, doc), 'utf8');
  const broken: string[] = [];
  for (const link of links(markdown)) {
    if (/^[a-z][\w+.-]*:/i.test(link)) continue; // https:, mailto:
    const [path, fragment] = link.split('#', 2);
    const target = path === '' ? join(root, doc) : join(root, dirname(doc), decodeURIComponent(path));
    if (!existsSync(target)) {
      broken.push(`${link}: no file ${relative(root, target)}`);
    } else if (fragment !== undefined && target.endsWith('.md') && !anchors(readFileSync(target, 'utf8')).has(fragment)) {
      broken.push(`${link}: no heading #${fragment} in ${relative(root, target)}`);
    }
  }
  return broken;
}

describe('relative links in the docs', () => {
  it.each(docs)('%s: every link resolves', (doc) => {
    expect(brokenLinks(doc)).toEqual([]);
  });

  it('finds the links it checks: the README chart, anchors in the same file and in another', () => {
    const readme = links(readFileSync(join(root, 'README.md'), 'utf8'));
    expect(readme).toContain('bench/results/chart.svg');
    expect(readme.some((link) => link.startsWith('#'))).toBe(true);
    expect(readme.some((link) => /\.md#./.test(link))).toBe(true);
  });

  it('makes GitHub slugs', () => {
    const slugs = anchors('# The C++ build\n## `backend` and environment\n## Notes\n## Notes\n```\n# not a heading\n```\n');
    expect([...slugs]).toEqual(['the-c-build', 'backend-and-environment', 'notes', 'notes-1']);
  });
});
