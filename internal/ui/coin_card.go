package ui

import (
	"errors"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"unicode"

	"github.com/labstack/echo/v4"
	"github.com/microcosm-cc/bluemonday"
	"golang.org/x/net/html"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/views"
)

// A hover card shows a taste of the description; the coin page shows most of it.
const (
	cardSentences = 3
	cardChars     = 320
	pageSentences = 40
	pageChars     = 2400
)

// descriptionPolicy keeps the little markup a short description needs. CoinGecko's text links
// out, and a hostile or broken entry could carry script, so everything else is stripped and
// links may only be http(s), opening in a new tab without passing the page or its ranking on.
var descriptionPolicy = func() *bluemonday.Policy {
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

func (h *Handler) coinCard(c echo.Context) error {
	id := c.Param("id")
	m, err := h.store.Metadata(c.Request().Context(), id)
	if errors.Is(err, domain.ErrNotFound) {
		return Render(c, http.StatusNotFound, views.CoinCardMissing(id))
	}
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, views.CoinCard(views.CoinCardProps{
		Name:        m.Name,
		Symbol:      strings.ToUpper(m.Symbol),
		Initials:    initials(m.Symbol, m.Name),
		ImageURL:    webURL(m.ImageURL),
		Description: sanitizeDescription(m.Description, cardSentences, cardChars),
		HomepageURL: webURL(m.HomepageURL),
		PageURL:     coinPagePath(m.CoinID),
	}))
}

// sanitizeDescription makes CoinGecko's description safe to embed and short enough for its
// place: paragraphs from its blank lines, the policy above, then at most maxSentences
// sentences or about maxChars characters.
func sanitizeDescription(raw string, maxSentences, maxChars int) string {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return ""
	}
	var b strings.Builder
	for _, para := range blankLines.Split(raw, -1) {
		b.WriteString("<p>" + para + "</p>")
	}
	return truncateHTML(descriptionPolicy.Sanitize(b.String()), maxSentences, maxChars)
}

// truncateHTML keeps the text of sanitised HTML up to maxSentences sentences or about
// maxChars characters, whichever comes first, and closes every element it leaves open, so the
// cut never breaks the markup around it.
func truncateHTML(s string, maxSentences, maxChars int) string {
	z := html.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	var open []string
	sentences, chars := 0, 0
	closeAll := func() string {
		for i := len(open) - 1; i >= 0; i-- {
			b.WriteString("</" + open[i] + ">")
		}
		return b.String()
	}
	for {
		switch z.Next() {
		case html.ErrorToken:
			return closeAll()
		case html.TextToken:
			text, done := cutText(string(z.Text()), &sentences, &chars, maxSentences, maxChars)
			b.WriteString(html.EscapeString(text))
			if done {
				return closeAll()
			}
		case html.StartTagToken:
			name, _ := z.TagName()
			if string(name) != "br" {
				open = append(open, string(name))
			}
			b.Write(z.Raw())
		case html.EndTagToken:
			name, _ := z.TagName()
			for i := len(open) - 1; i >= 0; i-- {
				if open[i] == string(name) {
					open = append(open[:i], open[i+1:]...)
					break
				}
			}
			b.Write(z.Raw())
		case html.SelfClosingTagToken:
			b.Write(z.Raw())
		}
	}
}

// cutText returns the part of text within the limits and whether a limit was reached.
func cutText(text string, sentences, chars *int, maxSentences, maxChars int) (string, bool) {
	runes := []rune(text)
	for i, r := range runes {
		*chars++
		if (r == '.' || r == '!' || r == '?') && (i+1 == len(runes) || unicode.IsSpace(runes[i+1])) {
			*sentences++
			if *sentences >= maxSentences {
				return string(runes[:i+1]), true
			}
		}
		if *chars >= maxChars {
			cut := string(runes[:i+1])
			if sp := strings.LastIndexFunc(cut, unicode.IsSpace); sp > 0 {
				cut = cut[:sp]
			}
			return strings.TrimRight(cut, " ,;:") + "…", true
		}
	}
	return text, false
}

// webURL passes only absolute http(s) URLs, so a stored "javascript:" URL never becomes a link
// or an image source.
func webURL(raw string) string {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return ""
	}
	return u.String()
}

// initials is what the logo's fallback circle shows: the ticker, or the name's first letter.
func initials(symbol, name string) string {
	s := []rune(strings.ToUpper(strings.TrimSpace(symbol)))
	if len(s) == 0 {
		s = []rune(strings.ToUpper(strings.TrimSpace(name)))
	}
	return string(s[:min(3, len(s))])
}
