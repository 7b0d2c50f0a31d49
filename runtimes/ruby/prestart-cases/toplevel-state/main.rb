x = 1
p local_variables, binding.local_variables, TOPLEVEL_BINDING.local_variable_defined?(:x)
p TOPLEVEL_BINDING.receiver.equal?(self), binding.source_location
p [$VERBOSE, $DEBUG, $-w, $-v, $-d, $-p, $-l, $-a, $-i, $;, $,, $/, $\]
p [Encoding.default_external, Encoding.default_internal, $stdin.external_encoding, $stdout.external_encoding]
p [RUBY_VERSION, RUBY_ENGINE, RUBY_DESCRIPTION, $$ > 0]
p [Dir.pwd, ENV.to_h.keys.sort]
p Object.constants.sort.size, global_variables.sort
p RubyVM::InstructionSequence.compile_option.slice(:frozen_string_literal, :debug_frozen_string_literal)
p self.class, self.inspect, __method__
