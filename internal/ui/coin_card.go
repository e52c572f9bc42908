package ui

import (
	"errors"
	"net/http"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
	"github.com/cryptodash/cryptodash/internal/sanitize"
	"github.com/cryptodash/cryptodash/internal/ui/route"
	"github.com/cryptodash/cryptodash/views"
)

// A hover card shows a taste of the description; the coin page shows most of it.
const (
	cardSentences = 3
	cardChars     = 320
	pageSentences = 40
	pageChars     = 2400
)

func (h *Handler) coinCard(c echo.Context) error {
	id := c.Param("id")
	// An id no coin can have (NUL, bytes that are not UTF-8, upper case) is not looked up:
	// nothing stored has it, and the database would refuse some of those bytes outright.
	m, err := domain.Metadata{}, domain.ErrNotFound
	if domain.ValidCoinID(id) {
		m, err = h.store.Metadata(c.Request().Context(), id)
	}
	if errors.Is(err, domain.ErrNotFound) {
		return Render(c, http.StatusNotFound, views.CoinCardMissing(domain.Excerpt(id)))
	}
	if err != nil {
		return err
	}
	return Render(c, http.StatusOK, views.CoinCard(views.CoinCardProps{
		Name:        m.Name,
		Symbol:      strings.ToUpper(m.Symbol),
		Initials:    initials(m.Symbol, m.Name),
		ImageURL:    h.logos.URL(m.ImageURL),
		Description: description(m.Description, cardSentences, cardChars),
		HomepageURL: sanitize.Homepage(m.HomepageURL),
		PageURL:     route.CoinURL(m.CoinID, nil),
	}))
}

// description is a stored description cut for its place on a page. The pipeline stored it
// sanitised (sanitize.Description); the cut goes through the policy again all the same, in
// case the row was stored by an older build, which costs little on a few hundred characters.
func description(stored string, maxSentences, maxChars int) string {
	return sanitize.HTML(sanitize.Cut(stored, sanitize.Limits{
		Sentences: maxSentences, Chars: maxChars, Bytes: sanitize.MaxDescriptionBytes}))
}

// initials is what the logo's fallback circle shows: the ticker, or the name's first letter.
func initials(symbol, name string) string {
	s := []rune(strings.ToUpper(strings.TrimSpace(symbol)))
	if len(s) == 0 {
		s = []rune(strings.ToUpper(strings.TrimSpace(name)))
	}
	return string(s[:min(3, len(s))])
}
