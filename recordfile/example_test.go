package recordfile_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/failmodes/prime"
	"github.com/failmodes/prime/recordfile"
)

// Records written as Parquet part files into a folder, as a cluster job
// writes them, read back into one Dataset.
func Example() {
	dir, err := os.MkdirTemp("", "records")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	parts := [][]prime.Record{
		{{ID: "1", Label: "fox", Predicted: "fox", Tags: []string{"snow", "tree"}}},
		{{ID: "2", Label: "fox", Predicted: "dog", Tags: []string{"black", "branch"}},
			{ID: "3", Label: "cat", Correct: true, Tags: []string{"sofa"}}},
	}
	for i, records := range parts {
		f, err := os.Create(filepath.Join(dir, fmt.Sprintf("part-%05d.parquet", i)))
		if err != nil {
			log.Fatal(err)
		}
		w := recordfile.NewParquetWriter(f)
		for j := range records {
			if err := w.Write(&records[j]); err != nil {
				log.Fatal(err)
			}
		}
		if err := w.Close(); err != nil {
			log.Fatal(err)
		}
		if err := f.Close(); err != nil {
			log.Fatal(err)
		}
	}

	d, err := recordfile.ReadDataset(context.Background(), []string{dir}, nil)
	if err != nil {
		log.Fatal(err)
	}
	for _, r := range d.All() {
		fmt.Println(r.ID, r.Label, r.IsCorrect(), r.Tags)
	}
	fmt.Println(d.Labels(), len(d.Tags()), "tags")
	// Output:
	// 1 fox true [snow tree]
	// 2 fox false [black branch]
	// 3 cat true [sofa]
	// [cat fox] 5 tags
}

func ExampleDetect() {
	for _, head := range [][]byte{
		[]byte("PAR1\x15\x04"),
		{0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00},
		{0x28, 0xb5, 0x2f, 0xfd, 0x04, 0x58},
		[]byte(`{"id":`),
	} {
		f, err := recordfile.Detect(head)
		fmt.Println(f, err)
	}
	// Output:
	// Parquet <nil>
	// JSON Lines (gzip) <nil>
	// JSON Lines (zstd) <nil>
	// JSON Lines <nil>
}
