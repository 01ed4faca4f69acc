// A pet's owner: `name` is unique (E_UNIQUE on a second create) and required (E_INVALID_NEW_RECORD without it).
// `pets` is the one-to-many side of Pet.owner.
module.exports = {
  schema: true, // `select` needs a schema (E_INVALID_CRITERIA without one); unknown keys are dropped on write
  attributes: {
    name: { type: 'string', required: true, unique: true },
    email: { type: 'string', isEmail: true, allowNull: true },
    pets: { collection: 'pet', via: 'owner' }
  }
};
