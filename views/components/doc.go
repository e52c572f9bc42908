// Package components holds the small templ pieces the pages share: the loading spinner,
// status badges, field errors, the progress bar and the coin hover-card trigger.
package components
