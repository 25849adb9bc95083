module github.com/eksnet/eksnet

go 1.26.8
