// Package data carries eksnet's embedded instance table.
package data
