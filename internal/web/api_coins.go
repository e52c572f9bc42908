package web

import (
	"github.com/labstack/echo/v4"
)

type coinJSON struct {
	ID        string `json:"id"`
	Symbol    string `json:"symbol"`
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt"`
}

// apiCoins lists the stored coins, sorted by name as the store returns them.
func (s *server) apiCoins(c echo.Context) error {
	coins, err := s.deps.Store.Coins(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]coinJSON, len(coins))
	for i, coin := range coins {
		out[i] = coinJSON{ID: coin.ID, Symbol: coin.Symbol, Name: coin.Name, CreatedAt: jsTime(coin.CreatedAt)}
	}
	return ok(c, out)
}
