package genutil

import (
	"strconv"
	"strings"

	"streamsqld/sql/pgerror"
)

// Generated sources split their row sequence round-robin: split "k/n" owns
// rows k, k+n, k+2n ... Naming the split count in the id keeps a saved
// position from being applied to another division of the rows.

// SplitIDs returns the ids of a division into splitNum splits (when
// splitNum <= 0, one split per subtask of parallelism).
func SplitIDs(splitNum, parallelism int) []string {
	n := splitNum
	if n <= 0 {
		n = max(parallelism, 1)
	}
	out := make([]string, n)
	for k := range out {
		out[k] = strconv.Itoa(k) + "/" + strconv.Itoa(n)
	}
	return out
}

// ParseSplit parses a split id "k/n"; connector names the connector in the
// error.
func ParseSplit(connector, split string) (k, n int, err error) {
	ks, ns, ok := strings.Cut(split, "/")
	if ok {
		k, err = strconv.Atoi(ks)
		if err == nil {
			n, err = strconv.Atoi(ns)
		}
	}
	if !ok || err != nil || n <= 0 || k < 0 || k >= n {
		return 0, 0, pgerror.Newf(pgerror.InvalidParameterValue, "invalid %s split %q", connector, split)
	}
	return k, n, nil
}

// SplitRows is how many of the first total rows split k of n owns.
func SplitRows(total, k, n uint64) uint64 {
	if total <= k {
		return 0
	}
	return (total-k-1)/n + 1
}
