package web

import (
	"errors"
	"fmt"
	"net/http"

	"github.com/labstack/echo/v4"

	"github.com/cryptodash/cryptodash/internal/domain"
)

type metadataJSON struct {
	CoinID      string  `json:"coinId"`
	Name        string  `json:"name"`
	Symbol      string  `json:"symbol"`
	Description *string `json:"description"`
	ImageURL    *string `json:"imageUrl"`
	HomepageURL *string `json:"homepageUrl"`
}

// apiCoinMetadata returns a coin's hover-card facts. The description is HTML as stored: the
// pipeline stores it sanitised and bounded (package sanitize), though rows from before that
// may still hold CoinGecko's text as sent, so clients keep sanitising it as the Next.js
// system's clients already do. A stored coin whose details have not been fetched answers 200
// with null details, as the Next.js API did, so its clients show their placeholder rather
// than an error; only a coin that is not stored is a 404.
func (s *server) apiCoinMetadata(c echo.Context) error {
	id := c.Param("id")
	// An id no coin can have (NUL, bytes that are not UTF-8) is not looked up: the database
	// would refuse those bytes with an error, where the answer is simply that no such coin is
	// stored.
	m, err := domain.Metadata{}, domain.ErrNotFound
	if domain.ValidCoinID(id) {
		m, err = s.deps.Store.Metadata(c.Request().Context(), id)
	}
	if errors.Is(err, domain.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("Coin %q not found", domain.Excerpt(id))).SetInternal(err)
	}
	if err != nil {
		return err
	}
	return ok(c, metadataJSON{CoinID: m.CoinID, Name: m.Name, Symbol: m.Symbol,
		Description: orNull(m.Description), ImageURL: orNull(m.ImageURL), HomepageURL: orNull(m.HomepageURL)})
}
