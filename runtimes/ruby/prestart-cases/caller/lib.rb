module Lib
  def self.trace = caller(0)
end
