"""IR → IR passes. Lowering turns the step tree into ASL states; checks collect problems."""
