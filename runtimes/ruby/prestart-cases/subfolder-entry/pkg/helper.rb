module Helper
  def self.where = __FILE__
end
