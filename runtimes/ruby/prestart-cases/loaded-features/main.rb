puts $LOADED_FEATURES
p $LOADED_FEATURES.size, defined?(Gem), defined?(DidYouMean), defined?(ErrorHighlight), defined?(SyntaxSuggest), defined?(Bundler)
