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

// apiCoinMetadata returns a coin's hover-card facts. The description is CoinGecko's HTML as
// stored; API clients sanitise it as the Next.js system's clients already do. A stored coin
// whose details have not been fetched answers 200 with null details, as the Next.js API did,
// so its clients show their placeholder rather than an error; only a coin that is not stored
// is a 404.
func (s *server) apiCoinMetadata(c echo.Context) error {
	id := c.Param("id")
	m, err := s.deps.Store.Metadata(c.Request().Context(), id)
	if errors.Is(err, domain.ErrNotFound) {
		return echo.NewHTTPError(http.StatusNotFound, fmt.Sprintf("Coin %q not found", id)).SetInternal(err)
	}
	if err != nil {
		return err
	}
	return ok(c, metadataJSON{CoinID: m.CoinID, Name: m.Name, Symbol: m.Symbol,
		Description: orNull(m.Description), ImageURL: orNull(m.ImageURL), HomepageURL: orNull(m.HomepageURL)})
}
