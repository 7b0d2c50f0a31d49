require_relative "helper"
puts __FILE__, __dir__
puts Helper.where
