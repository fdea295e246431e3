from tests.factories import World, make_case


def test_world(app):
    world = World()
    case = make_case(world.ass)
    assert case.id
