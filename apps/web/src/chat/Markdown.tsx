import { memo } from 'react';
import ReactMarkdown, { type Components, type Options } from 'react-markdown';
import rehypeHighlight from 'rehype-highlight';
import remarkGfm from 'remark-gfm';

/**
 * Model output is untrusted. react-markdown never renders raw HTML (without rehype-raw, which this
 * app does not use, HTML in the text becomes text) and drops `javascript:` links. On top of that:
 * links open in a new tab without the opener, and images are not loaded (a link instead), so an
 * answer cannot make the browser fetch an address it chose (a prompt-injection leak).
 */
const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow">
      {children}
    </a>
  ),
  img: ({ src, alt }) =>
    typeof src === 'string' && src !== '' ? (
      <a href={src} target="_blank" rel="noopener noreferrer nofollow" className="markdown__image-link">
        {alt ? `Image: ${alt}` : 'Image'}
      </a>
    ) : (
      <span>{alt}</span>
    ),
};

const remarkPlugins: Options['remarkPlugins'] = [remarkGfm];
// Only fenced blocks that name their language are highlighted: detecting it would run every grammar
// on every streamed piece.
const rehypePlugins: Options['rehypePlugins'] = [[rehypeHighlight, { detect: false }]];

export interface MarkdownProps {
  text: string;
}

export const Markdown = memo(function Markdown({ text }: MarkdownProps) {
  return (
    <div className="markdown">
      <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={rehypePlugins} components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
