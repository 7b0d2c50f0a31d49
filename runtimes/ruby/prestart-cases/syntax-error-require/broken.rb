class Foo
  def x
end
