// Package genutil holds what the generator connectors (datagen, nexmark)
// share: WITH-option parsing, a fast seedable random source, conversion of
// generated values to the declared column types, position encoding and
// wall-clock pacing.
//
// Generators are pure functions of (seed, row index): every row draws from
// a Rand seeded by Mix(seed, index). That is what makes a split resumable
// from a bare row index and lets a split's rows stay the same whatever the
// split count.
package genutil
