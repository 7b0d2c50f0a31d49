#!/usr/bin/env ruby
# frozen_string_literal: true
p "x".frozen?, $VERBOSE
