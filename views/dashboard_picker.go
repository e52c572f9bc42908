package views

import "fmt"

// Note says which coins the picker's chips offer beside the chosen ones.
func (p CoinPicker) Note() string {
	switch {
	case p.Search == "" && p.Shown == 0:
		return fmt.Sprintf("Your coins, of %d. Search to find the others.", p.Total)
	case p.Search == "":
		return fmt.Sprintf("Your coins and the top %d of %d by market cap. Search to find the others.", p.Shown, p.Total)
	case p.Matches == 0:
		return fmt.Sprintf("No other coin matches “%s”.", p.Search)
	case p.Shown < p.Matches:
		return fmt.Sprintf("%d of the %d coins matching “%s”, top market cap first. Type more to narrow them.", p.Shown, p.Matches, p.Search)
	}
	return fmt.Sprintf("Every coin matching “%s”.", p.Search)
}
