// Package taggertest checks that an implementation of prime.Tagger follows
// the rules of the interface, in the spirit of testing/fstest.TestFS and
// testing/slogtest: call TestTagger, which returns one error joining every
// rule broken, or Run, which checks each rule in a subtest of its own, from
// the tests of the implementation:
//
//	func TestMyTagger(t *testing.T) {
//		taggertest.Run(t, mytagger.New())
//	}
//
// The rules checked (each a subtest of Run, named as here):
//
//   - vocabulary: when the tagger has a Vocabulary method (see
//     Vocabularer), the vocabulary is non-empty, its entries non-empty and
//     unique, and the slice returned is the caller's.
//   - odd-images: Tag accepts any image.Image: bounds not at (0, 0), 1x1,
//     Gray, Gray16, Paletted, CMYK, NRGBA with alpha, YCbCr (see
//     OddImages), and the caller's images.
//   - tags: every tag's name is non-empty, appears at most once in a
//     result, and is in the vocabulary when the tagger exposes one; every
//     score is in [0, 1].
//   - deterministic: tagging an image again gives the same tags, in the
//     same order, with the same scores.
//   - concurrent: calls from several goroutines at once give the same
//     results as calls one at a time (run the tests with -race to catch
//     data races too).
//   - cancelled: with a cancelled context, Tag returns promptly with an
//     error that wraps context.Canceled.
//   - owned: the returned slice belongs to the caller: changing it does not
//     change what a later call returns.
//   - batch: when the tagger is a prime.BatchTagger, TagBatch returns one
//     result per image, equal to what Tag returns for each image alone
//     (scores to within 1e-5), and honours a cancelled context.
//   - image-untouched: Tag and TagBatch leave the images they are given
//     unchanged.
//
// Every call's context carries the image's id (prime.ContextWithImageID,
// or prime.ContextWithImageIDs for a batch), as prime.Run passes it, so
// that taggers that look their answers up by id can be checked: give them
// answers for the ids of OddImages and of the caller's images.
//
// Map is a fake for the tests of code that takes a Tagger: its answers
// are listed by image id, in the manner of fstest.MapFS.
package taggertest
