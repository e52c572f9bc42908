package coingecko

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"net/url"

	"github.com/cryptodash/cryptodash/internal/clock"
	"github.com/cryptodash/cryptodash/internal/domain"
)

// CoinsList returns every coin CoinGecko knows, so configured ids can be checked before a run
// spends its quota on ids that were renamed or retired.
func (c *Client) CoinsList(ctx context.Context) ([]domain.Coin, error) {
	var body []struct {
		ID     string `json:"id"`
		Symbol string `json:"symbol"`
		Name   string `json:"name"`
	}
	if err := c.get(ctx, "/coins/list", nil, coinsListBodyLimit, &body); err != nil {
		return nil, err
	}
	coins := make([]domain.Coin, 0, len(body))
	for _, b := range body {
		if b.ID == "" {
			continue
		}
		coins = append(coins, domain.Coin{ID: b.ID, Symbol: b.Symbol, Name: b.Name})
	}
	return coins, nil
}

// coinQuery switches off every heavy section of /coins/{id} but market_data (tens of KB, for
// the rank and supply): tickers alone can weigh megabytes.
var coinQuery = url.Values{
	"localization":   {"false"},
	"tickers":        {"false"},
	"market_data":    {"true"},
	"community_data": {"false"},
	"developer_data": {"false"},
	"sparkline":      {"false"},
}

// coinBody declares only what Metadata needs: links.whitepaper, a string in some answers and
// an array in others, stays undeclared so it cannot break decoding.
type coinBody struct {
	ID          string `json:"id"`
	Symbol      string `json:"symbol"`
	Name        string `json:"name"`
	Description struct {
		EN string `json:"en"`
	} `json:"description"`
	Image struct {
		Thumb string `json:"thumb"`
		Small string `json:"small"`
		Large string `json:"large"`
	} `json:"image"`
	Links struct {
		Homepage []string `json:"homepage"`
	} `json:"links"`
	MarketCapRank *int `json:"market_cap_rank"`
	MarketData    struct {
		MarketCapRank     *int     `json:"market_cap_rank"`
		CirculatingSupply *float64 `json:"circulating_supply"`
		TotalSupply       *float64 `json:"total_supply"`
		MaxSupply         *float64 `json:"max_supply"`
	} `json:"market_data"`
}

// Coin returns the metadata of one coin. Description is CoinGecko's HTML, unsanitised;
// UpdatedAt is when the answer arrived.
func (c *Client) Coin(ctx context.Context, id string) (domain.Metadata, error) {
	var body coinBody
	if err := c.get(ctx, "/coins/"+url.PathEscape(id), coinQuery, coinBodyLimit, &body); err != nil {
		return domain.Metadata{}, err
	}
	return domain.Metadata{
		CoinID:      id,
		Name:        body.Name,
		Symbol:      body.Symbol,
		Description: body.Description.EN,
		ImageURL:    firstNonEmpty(body.Image.Large, body.Image.Small, body.Image.Thumb),
		HomepageURL: firstNonEmpty(body.Links.Homepage...),
		UpdatedAt:   clock.Now().UTC(),
		Market: domain.MarketData{Rank: cmp.Or(body.MarketData.MarketCapRank, body.MarketCapRank),
			CirculatingSupply: positive(body.MarketData.CirculatingSupply), TotalSupply: positive(body.MarketData.TotalSupply),
			Max: positive(body.MarketData.MaxSupply)},
	}, nil
}

// positive keeps a supply CoinGecko sent as a usable figure; it sends 0 for "not known".
func positive(v *float64) *float64 {
	if v == nil || !(*v > 0) || math.IsInf(*v, 0) {
		return nil
	}
	return v
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// decodeJSON reports a body that is JSON but not of the expected shape.
func decodeJSON(body []byte, out any) error {
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("coingecko: unexpected answer shape: %w", err)
	}
	return nil
}
