// Package sanitize makes what CoinGecko says about a coin (its name and symbol, its
// description HTML, its logo and homepage URLs) safe to store and to embed in a page, and
// bounds its size. The pipeline runs Coin and Description once, before storing, so the stored
// text is already clean and short; pages cut what they show from a description with Cut and
// pass the cut through HTML, which costs little on a few hundred characters and keeps a page
// safe should a row still hold text stored before this package existed.
package sanitize

import (
	"net/netip"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"

	"github.com/cryptodash/cryptodash/internal/domain"
)

// MaxDescriptionBytes bounds a stored description. CoinGecko's longest real descriptions run
// to a few thousand characters, and a page shows at most 2,400 of them; a hostile or broken
// entry of megabytes is cut here once rather than parsed on every page that shows it.
const MaxDescriptionBytes = 8 << 10

// maxInputBytes is how much of CoinGecko's text is parsed at all: well past
// MaxDescriptionBytes of output (markup the policy strips shrinks it), while an 8 MB
// description costs no more than this to clean.
const maxInputBytes = 64 << 10

// policy keeps the little markup a short description needs. CoinGecko's text links out, and
// a hostile or broken entry could carry script, so everything else is stripped and links may
// only be http(s), opening in a new tab without passing the page or its ranking on.
var policy = func() *bluemonday.Policy {
	p := bluemonday.NewPolicy()
	p.AllowElements("p", "br", "strong", "em")
	p.AllowAttrs("href").OnElements("a")
	p.AllowURLSchemes("http", "https")
	p.RequireParseableURLs(true)
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	// Relative links would point into cryptodash, which is never what CoinGecko meant.
	p.AllowRelativeURLs(false)
	return p
}()

var blankLines = regexp.MustCompile(`(\r?\n){2,}`)

// Description turns CoinGecko's description into what is stored: paragraphs from its blank
// lines, only the markup the policy allows, at most MaxDescriptionBytes, every element it
// opens closed.
func Description(raw string) string {
	raw = strings.TrimSpace(cutBytes(raw, maxInputBytes))
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range blankLines.Split(raw, -1) {
		b.WriteString("<p>" + para + "</p>")
	}
	return Cut(Paragraphs(policy.Sanitize(b.String())), Limits{Bytes: MaxDescriptionBytes})
}

// Paragraphs puts a line break between paragraphs that touch ("</p><p>"), as stored
// descriptions of older builds have them: a browser spaces paragraphs, but a client that
// strips the tags (a feed, a search index, a screen of plain text) would run the sentences
// together ("not real.Real data"). Input is the policy's output, whose <p> has no attributes.
func Paragraphs(s string) string { return strings.ReplaceAll(s, "</p><p>", "</p>\n<p>") }

// Metadata is a coin's details from CoinGecko made fit to store: the description through
// Description, the image URL through URL and the homepage through Homepage. Where a logo may
// be shown from is the page's business (Logos), since it depends on the configured source.
func Metadata(m domain.Metadata) domain.Metadata {
	m.Description = Description(m.Description)
	m.ImageURL = URL(m.ImageURL)
	m.HomepageURL = Homepage(m.HomepageURL)
	return m
}

// Bounds of a stored coin name and symbol: CoinGecko's longest real names are under a hundred
// bytes and symbols a few dozen, and every card, table row and API answer repeats them.
const (
	maxNameBytes   = 200
	maxSymbolBytes = 40
)

// Coin is a coin as CoinGecko lists it made fit to store: its name and symbol without control
// characters (PostgreSQL refuses NUL in text, which would fail the whole run) or format
// characters (bidi overrides such as U+202E would reorder the text around a name on every
// page and in every CSV), and bounded.
func Coin(c domain.Coin) domain.Coin {
	c.Name = cutBytes(strings.TrimSpace(strings.Map(dropControl, c.Name)), maxNameBytes)
	c.Symbol = cutBytes(strings.TrimSpace(strings.Map(dropControl, c.Symbol)), maxSymbolBytes)
	return c
}

func dropControl(r rune) rune {
	if unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
		return -1
	}
	return r
}

// maxURLBytes bounds a stored or shown URL: real logo and homepage URLs are a few dozen bytes,
// and browsers and CDNs balk past 2,000.
const maxURLBytes = 2048

// URL passes only absolute http(s) URLs of at most maxURLBytes, so a "javascript:" URL never
// becomes a link or an image source, and a hostile one is refused before it is parsed.
func URL(raw string) string {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxURLBytes {
		return ""
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// Homepage passes a coin's homepage as URL does, and refuses one with user info
// ("https://user:pw@host", which also disguises where a link goes) or whose host is an
// address of a private, loopback, link-local or unspecified network, or localhost: no coin
// has its homepage there, and a link to one points a visitor's browser at their own network
// (or at a cloud's metadata service, 169.254.169.254).
func Homepage(raw string) string {
	s := URL(raw)
	if s == "" {
		return ""
	}
	u, _ := url.Parse(s)
	host := strings.TrimSuffix(strings.ToLower(u.Hostname()), ".")
	if u.User != nil || host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return ""
	}
	if a, err := netip.ParseAddr(host); err == nil {
		a = a.Unmap()
		// Loopback, link-local, unspecified and multicast addresses are not global unicast.
		if a.IsPrivate() || !a.IsGlobalUnicast() {
			return ""
		}
	}
	return s
}

// logoHosts are the hosts CoinGecko serves coin images from.
var logoHosts = []string{"coin-images.coingecko.com", "assets.coingecko.com"}

// Logos says where coin logos may be loaded from: CoinGecko's image hosts over https and,
// when cryptodash reads a CoinGecko-compatible server in CoinGecko's place (the simulator of
// the offline demo), that server's origin, which serves its own. A logo from anywhere else
// would let whoever wrote the URL see every visitor's address; pages leave it out, and the
// Content-Security-Policy's img-src (CSP) refuses it too.
type Logos struct {
	origin string
}

// LogosFor returns the Logos of a deployment whose CoinGecko base URL is baseURL ("" for
// CoinGecko itself).
func LogosFor(baseURL string) Logos {
	u, err := url.Parse(baseURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Logos{}
	}
	return Logos{origin: u.Scheme + "://" + u.Host}
}

// URL passes raw when it is a logo from an allowed origin, and gives "" otherwise.
func (l Logos) URL(raw string) string {
	s := URL(raw)
	if s == "" {
		return ""
	}
	u, _ := url.Parse(s)
	if u.User != nil {
		return ""
	}
	if l.origin != "" && u.Scheme+"://"+u.Host == l.origin {
		return s
	}
	if u.Scheme == "https" && u.Port() == "" && slices.Contains(logoHosts, strings.ToLower(u.Host)) {
		return s
	}
	return ""
}

// Sources are the origins of URL as a Content-Security-Policy source list.
func (l Logos) Sources() string {
	src := make([]string, 0, len(logoHosts)+1)
	for _, h := range logoHosts {
		src = append(src, "https://"+h)
	}
	if l.origin != "" {
		src = append(src, l.origin)
	}
	return strings.Join(src, " ")
}

// HTML passes stored HTML through the policy again. On what Description made it changes
// nothing; it is the pages' guard against a row stored by an older build, and cheap on the
// excerpt a page shows.
func HTML(s string) string { return policy.Sanitize(s) }

// Limits bound what Cut keeps; a zero field sets no bound.
type Limits struct {
	// Sentences and Chars count the text, not the markup.
	Sentences, Chars int
	// Bytes counts the HTML Cut returns, closing tags included.
	Bytes int
}

// Cut keeps the HTML s up to the first limit reached and closes every element it leaves open,
// so the cut never breaks the markup around it. A cut by sentences or characters ends on a
// sentence or a word ("…"); a cut by bytes ends where the next token would not fit. The
// work stops at the cut, so a long s costs no more than the part kept.
func Cut(s string, l Limits) string {
	c := cutter{limits: l}
	z := html.NewTokenizer(strings.NewReader(s))
	for {
		switch z.Next() {
		case html.ErrorToken:
			return c.close()
		case html.TextToken:
			text, done := c.text(string(z.Text()))
			if !c.write(html.EscapeString(text)) {
				c.b.WriteString(c.fit(text))
				return c.close()
			}
			if done {
				return c.close()
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			if !c.write(string(z.Raw())) {
				return c.close()
			}
			if string(name) != "br" {
				c.open = append(c.open, string(name))
			}
		case html.EndTagToken:
			name, _ := z.TagName()
			i := len(c.open) - 1
			for i >= 0 && c.open[i] != string(name) {
				i--
			}
			if i < 0 {
				// A stray end tag closes nothing; writing it could close what the page wraps
				// the description in.
				continue
			}
			if !c.write(string(z.Raw())) {
				return c.close()
			}
			c.open = append(c.open[:i], c.open[i+1:]...)
		case html.SelfClosingTagToken:
			if !c.write(string(z.Raw())) {
				return c.close()
			}
		}
	}
}

// cutter is the state of one Cut: what is kept so far and the elements still open.
type cutter struct {
	limits           Limits
	b                strings.Builder
	open             []string
	sentences, chars int
}

// write appends s if it fits the byte bound with room left to close what is open, and says
// whether it did.
func (c *cutter) write(s string) bool {
	if c.limits.Bytes > 0 && c.b.Len()+len(s)+c.closingAfter(s) > c.limits.Bytes {
		return false
	}
	c.b.WriteString(s)
	return true
}

// closingAfter is the length of the end tags needed once s is written: s may open one more.
func (c *cutter) closingAfter(s string) int {
	n := 0
	for _, name := range c.open {
		n += len("</>") + len(name)
	}
	if strings.HasPrefix(s, "<") && !strings.HasPrefix(s, "</") {
		n += len("</>") + len(tagName(s))
	}
	return n
}

// fit is as much of text as the byte bound leaves room for, ending on a word with "…", or
// nothing when not even that fits.
func (c *cutter) fit(text string) string {
	room := c.limits.Bytes - c.b.Len() - c.closingAfter("") - len("…")
	end, used := 0, 0
	for end < len(text) {
		r, size := utf8.DecodeRuneInString(text[end:])
		n := len(html.EscapeString(string(r)))
		if used+n > room {
			break
		}
		used += n
		end += size
	}
	cut := text[:end]
	if end < len(text) {
		if sp := strings.LastIndexFunc(cut, unicode.IsSpace); sp > 0 {
			cut = cut[:sp]
		}
	}
	cut = strings.TrimRight(cut, " ,;:")
	if cut == "" {
		return ""
	}
	return html.EscapeString(cut) + "…"
}

func tagName(raw string) string {
	end := strings.IndexFunc(raw[1:], func(r rune) bool { return r == '>' || r == '/' || unicode.IsSpace(r) })
	if end < 0 {
		return raw[1:]
	}
	return raw[1 : 1+end]
}

func (c *cutter) close() string {
	for i := len(c.open) - 1; i >= 0; i-- {
		c.b.WriteString("</" + c.open[i] + ">")
	}
	return c.b.String()
}

// text returns the part of text within the sentence and character limits and whether a
// limit was reached. A sentence ends at ".", "!" or "?" before a space or the end of the text.
func (c *cutter) text(text string) (string, bool) {
	if c.limits.Sentences == 0 && c.limits.Chars == 0 {
		return text, false
	}
	for i := 0; i < len(text); {
		r, size := utf8.DecodeRuneInString(text[i:])
		next := i + size
		c.chars++
		if r == '.' || r == '!' || r == '?' {
			after, _ := utf8.DecodeRuneInString(text[next:])
			if next == len(text) || unicode.IsSpace(after) {
				c.sentences++
				if c.limits.Sentences > 0 && c.sentences >= c.limits.Sentences {
					return text[:next], true
				}
			}
		}
		if c.limits.Chars > 0 && c.chars >= c.limits.Chars {
			cut := text[:next]
			if sp := strings.LastIndexFunc(cut, unicode.IsSpace); sp > 0 {
				cut = cut[:sp]
			}
			return strings.TrimRight(cut, " ,;:") + "…", true
		}
		i = next
	}
	return text, false
}

// cutBytes returns at most n bytes of s, ending on a whole character.
func cutBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}
