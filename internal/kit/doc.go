// Package kit holds what the test kits tagger/taggertest and
// classifier/classifiertest share: the odd images every check passes, and
// the mechanics of rules that hold for any result type (determinism,
// concurrency, cancellation, batches, ownership, untouched images) and of
// running them as subtests or joining their errors.
package kit
