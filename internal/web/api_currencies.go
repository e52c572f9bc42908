package web

import (
	"github.com/labstack/echo/v4"
)

type currencyJSON struct {
	Code      string `json:"code"`
	Name      string `json:"name"`
	CreatedAt string `json:"createdAt"`
}

// apiCurrencies lists the stored currencies sorted by code. Codes stay lower case here, as
// stored and as /api/prices accepts them; only price rows show them upper case.
func (s *server) apiCurrencies(c echo.Context) error {
	currencies, err := s.deps.Store.Currencies(c.Request().Context())
	if err != nil {
		return err
	}
	out := make([]currencyJSON, len(currencies))
	for i, cur := range currencies {
		out[i] = currencyJSON{Code: cur.Code, Name: cur.Name, CreatedAt: jsTime(cur.CreatedAt)}
	}
	return ok(c, out)
}
