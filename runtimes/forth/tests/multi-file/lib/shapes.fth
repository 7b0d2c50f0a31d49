: area ( w h -- a ) * ;
