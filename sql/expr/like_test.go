package expr

import (
	"math/rand/v2"
	"regexp"
	"strings"
	"testing"
)

// TestLikeMatchesRegexpReference compares the LIKE matcher with a regular
// expression translation on random patterns and strings.
func TestLikeMatchesRegexpReference(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	alpha := []string{"a", "b", "é", "%", "_", `\%`, `\_`}
	for i := 0; i < 20000; i++ {
		var pat, re strings.Builder
		re.WriteString("(?s)^")
		for n := rng.IntN(6); n > 0; n-- {
			tok := alpha[rng.IntN(len(alpha))]
			pat.WriteString(tok)
			switch tok {
			case "%":
				re.WriteString(".*")
			case "_":
				re.WriteString(".")
			case `\%`:
				re.WriteString("%")
			case `\_`:
				re.WriteString("_")
			default:
				re.WriteString(regexp.QuoteMeta(tok))
			}
		}
		re.WriteString("$")
		var s strings.Builder
		for n := rng.IntN(7); n > 0; n-- {
			s.WriteString([]string{"a", "b", "é", "%", "_"}[rng.IntN(5)])
		}
		p, err := compileLike(pat.String(), '\\', false)
		if err != nil {
			t.Fatal(err)
		}
		want := regexp.MustCompile(re.String()).MatchString(s.String())
		if got := p.match(s.String()); got != want {
			t.Fatalf("%q LIKE %q = %v, want %v", s.String(), pat.String(), got, want)
		}
		pf, _ := compileLike(strings.ToUpper(pat.String()), '\\', true)
		if got := pf.match(s.String()); got != want {
			t.Fatalf("%q ILIKE %q = %v, want %v", s.String(), strings.ToUpper(pat.String()), got, want)
		}
	}
}
