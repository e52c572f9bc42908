// Package jsonnum writes float64s as encoding/json does, for the encoders that write their JSON
// by hand because reflection per value was most of a cache miss's CPU (the API's rows, the
// chart's points), so their bytes stay the ones encoding/json wrote.
package jsonnum

import (
	"fmt"
	"math"
	"strconv"
)

// AppendFloat appends f as encoding/json writes it: the shortest decimal that reads back as
// f, in exponent form only below 1e-6 or from 1e21, with a one-digit negative exponent
// unpadded. Like encoding/json it refuses NaN and the infinities, which JSON cannot say.
func AppendFloat(b []byte, f float64) ([]byte, error) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return nil, fmt.Errorf("json: unsupported value %v", f)
	}
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-07 becomes e-7.
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, nil
}
